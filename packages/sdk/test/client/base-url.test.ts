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
});
