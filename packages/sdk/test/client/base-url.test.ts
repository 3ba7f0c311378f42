import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, test } from 'vitest';
import { clientFrom, UsageError } from '../../src/cli/index.ts';
import { BusClient, createHttpClient, KnowledgeClient } from '../../src/index.ts';

// Credentials in a base URL are refused up front: fetch would refuse the request anyway, with an
// error that repeats the whole URL, password included, into logs and terminals.

const PASSWORD = 's3cretpw';

function messageOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  throw new Error('expected a throw');
}

describe('base URL', () => {
  test.each([
    `http://ops:${PASSWORD}@127.0.0.1:8650`,
    `https://ops:${PASSWORD}@bus.internal/bus/`,
    `http://${PASSWORD}@127.0.0.1:8650`,
    `http://:${PASSWORD}@127.0.0.1:8650`,
  ])('a base URL with credentials is refused without repeating them (%s)', (baseUrl) => {
    expect(() => createHttpClient({ baseUrl })).toThrow(TypeError);
    const message = messageOf(() => createHttpClient({ baseUrl }));
    expect(message).toBe('invalid base URL: credentials are not allowed in the URL; pass a token instead');
    expect(message).not.toContain(PASSWORD);
  });

  test('the typed clients refuse credentials in their url', () => {
    expect(() => new BusClient({ url: `http://ops:${PASSWORD}@127.0.0.1:8650` })).toThrow(/credentials/);
    expect(() => new KnowledgeClient({ url: `http://ops:${PASSWORD}@127.0.0.1:8660` })).toThrow(/credentials/);
  });

  test('a client without its url (a JavaScript caller passing baseUrl, say) is refused with an error naming the option', () => {
    const options = { baseUrl: 'http://127.0.0.1:8650' } as unknown as { url: string };
    expect(messageOf(() => new BusClient(options))).toBe(
      "url is required: the server's base URL, e.g. http://127.0.0.1:8650",
    );
    expect(messageOf(() => new KnowledgeClient({} as { url: string }))).toMatch(/^url is required/);
    expect(messageOf(() => createHttpClient({} as { baseUrl: string }))).toMatch(/^baseUrl is required/);
  });

  test('an unparsable base URL is named in the error, but not the credentials in it', () => {
    expect(messageOf(() => createHttpClient({ baseUrl: 'not a url' }))).toBe('invalid base URL: not a url');
    let error: unknown;
    try {
      createHttpClient({ baseUrl: `http://ops:${PASSWORD}@127.0.0.1:99999` });
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(TypeError);
    expect((error as TypeError).message).toBe('invalid base URL: http://***@127.0.0.1:99999');
    // Not in the cause either (URL's own error carries its input).
    expect(JSON.stringify(error, ['message', 'cause', 'input'])).not.toContain(PASSWORD);
  });

  test('a CLI turns a --url with credentials into a usage error without the password', () => {
    const endpoint = {
      label: 'Bus server',
      urlEnv: 'FLEET_TEST_UNSET_URL',
      tokenEnv: 'FLEET_TEST_UNSET_TOKEN',
      defaultUrl: 'http://127.0.0.1:8650',
    };
    const create = (options: { url: string; token?: string }) => new BusClient(options);
    expect(() => clientFrom({ url: `http://ops:${PASSWORD}@127.0.0.1:8650` }, endpoint, create)).toThrow(UsageError);
    const message = messageOf(() => clientFrom({ url: `http://ops:${PASSWORD}@127.0.0.1:8650` }, endpoint, create));
    expect(message).toBe('--url: invalid base URL: credentials are not allowed in the URL; pass a token instead');
  });

  test.each([
    [
      'an unparsable one, # in the password',
      'http://admin:hun#ter2@example.com',
      'invalid base URL: http://***@example.com',
    ],
    [
      'an unparsable one, / in the password',
      'http://admin:hun/ter2@example.com/x',
      'invalid base URL: http://***@example.com/x',
    ],
    [
      'an unparsable one, ? in the password',
      'http://admin:hun?ter2@example.com',
      'invalid base URL: http://***@example.com',
    ],
    [
      'one that parses with the host "admin"',
      'http://admin:12#hunter2@example.com',
      'invalid base URL: credentials are not allowed in the URL; pass a token instead',
    ],
    [
      'one that parses with the path "/hunter2@..."',
      'http://admin:12/hunter2@example.com',
      'invalid base URL: credentials are not allowed in the URL; pass a token instead',
    ],
  ])('a password with a raw #, / or ? is never shown (%s)', (_, baseUrl, expected) => {
    const message = messageOf(() => createHttpClient({ baseUrl }));
    expect(message).toBe(expected);
    expect(message).not.toContain('hunter2');
    expect(message).not.toContain('ter2');
  });

  test.each([
    'http://127.0.0.1:28652/?token=SECRET',
    'http://127.0.0.1:28652/dashboard?token=SECRET',
    'http://127.0.0.1:28652/#token=SECRET',
    'http://127.0.0.1:28652/?',
  ])('a base URL with a query or fragment is refused without repeating it (%s)', (baseUrl) => {
    expect(() => createHttpClient({ baseUrl })).toThrow(TypeError);
    expect(messageOf(() => createHttpClient({ baseUrl }))).toBe(
      'invalid base URL: a query (?...) or fragment (#...) is not allowed; pass a token instead',
    );
  });

  test('an unparsable base URL with a query shows it as ?***', () => {
    expect(messageOf(() => createHttpClient({ baseUrl: 'http://127.0.0.1:99999/?token=SECRET' }))).toBe(
      'invalid base URL: http://127.0.0.1:99999/?***',
    );
  });
});

describe('token', () => {
  const baseUrl = 'http://127.0.0.1:8650';

  test.each([
    ['a line break', 'SECRET1\nX'],
    ['a carriage return', 'SECRET1\rX'],
    ['a NUL', 'SECRET1\u0000X'],
    ['a tab', 'SECRET1\tX'],
    ['a DEL', 'SECRET1\u007fX'],
  ])('a token with %s is refused, naming the token but not showing it', (_, token) => {
    expect(() => createHttpClient({ baseUrl, token })).toThrow(TypeError);
    const message = messageOf(() => createHttpClient({ baseUrl, token }));
    expect(message).toBe(
      'invalid token: it holds a control character (a line break, a tab...); the token is not shown',
    );
    expect(message).not.toContain('SECRET1');
  });

  test('a token with a character beyond Latin-1 is refused without showing it', () => {
    const message = messageOf(() => createHttpClient({ baseUrl, token: 'SECRET1\u20ac' }));
    expect(message).toMatch(/^invalid token: it holds a character a header cannot carry/);
    expect(message).not.toContain('SECRET1');
  });

  test('a token with whitespace around it is sent trimmed; one of whitespace alone is refused', async () => {
    let seen: string | undefined;
    const server = createServer((request, response) => {
      seen = request.headers.authorization;
      response.end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const http = createHttpClient({ baseUrl: `http://127.0.0.1:${port}`, token: ' s3cret\n' });
      await http.ky.get(`http://127.0.0.1:${port}/x`).text();
      expect(seen).toBe('Bearer s3cret');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    expect(messageOf(() => createHttpClient({ baseUrl, token: ' \n' }))).toBe(
      'invalid token: it is only whitespace; the token is not shown',
    );
  });

  const endpoint = {
    label: 'Dashboard',
    urlEnv: 'FLEET_TEST_URL_UNUSED',
    tokenEnv: 'FLEET_TEST_TOKEN_FOR_ARGS',
    defaultUrl: 'http://127.0.0.1:8680',
  };
  const create = (options: { url: string; token?: string }) => new BusClient(options);

  test('a CLI reports a bad --token against --token, a bad token variable against the variable', () => {
    expect(() => clientFrom({ token: 'SECRET1\nX' }, endpoint, create)).toThrow(UsageError);
    expect(messageOf(() => clientFrom({ token: 'SECRET1\nX' }, endpoint, create))).toBe(
      '--token: invalid token: it holds a control character (a line break, a tab...); the token is not shown',
    );
    process.env.FLEET_TEST_TOKEN_FOR_ARGS = 'SECRET1\nX';
    try {
      expect(messageOf(() => clientFrom({}, endpoint, create))).toBe(
        '$FLEET_TEST_TOKEN_FOR_ARGS: invalid token: it holds a control character (a line break, a tab...); the token is not shown',
      );
      expect(messageOf(() => clientFrom({ tokenSource: 'the fleet file' }, endpoint, create))).toMatch(
        /^the fleet file: invalid token: /,
      );
    } finally {
      delete process.env.FLEET_TEST_TOKEN_FOR_ARGS;
    }
  });

  test('a CLI reports a bad URL from the URL variable against the variable', () => {
    process.env.FLEET_TEST_URL_UNUSED = 'http://127.0.0.1:8680/?token=SECRET';
    try {
      expect(messageOf(() => clientFrom({}, endpoint, create))).toBe(
        '$FLEET_TEST_URL_UNUSED: invalid base URL: a query (?...) or fragment (#...) is not allowed; pass a token instead',
      );
    } finally {
      delete process.env.FLEET_TEST_URL_UNUSED;
    }
  });
});
