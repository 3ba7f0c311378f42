import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BusClient, createHttpClient, DashboardClient, KnowledgeClient } from '../../src/index.ts';

// Extra headers (a monitor target's `Authorization: Bearer <token>`) are checked as the token is:
// fetch would refuse them with an error that quotes the whole value.

const SECRET = 's3cr3t-part-one';
let baseUrl: string;
let seen: Record<string, string | string[] | undefined> = {};
const server = createServer((request, response) => {
  seen = request.headers;
  response.end('{}');
});

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

function thrown(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

const CONTROL = 'it holds a control character (a line break, a tab...)';
const BEYOND = 'it holds a character a header cannot carry (only Latin-1 characters, best plain ASCII)';

describe('client headers', () => {
  test.each([
    ['a line break', `Bearer ${SECRET}\ns3cr3t-part-two`, CONTROL],
    ['a NUL', `Bearer ${SECRET}\u0000x`, CONTROL],
    ['a character beyond Latin-1', `Bearer ${SECRET}\u20ac`, BEYOND],
  ])('a value with %s is refused with a TypeError naming the header, not showing the value', (_, value, why) => {
    for (const create of [
      () => createHttpClient({ baseUrl, headers: { Authorization: value } }),
      () => new BusClient({ url: baseUrl, headers: { Authorization: value } }),
      () => new KnowledgeClient({ url: baseUrl, headers: { Authorization: value } }),
      () => new DashboardClient({ url: baseUrl, headers: { Authorization: value } }),
    ]) {
      const error = thrown(create);
      expect(error).toBeInstanceOf(TypeError);
      expect(error.message).toBe(`invalid header "Authorization": ${why}; the value is not shown`);
      expect(error.message).not.toContain('s3cr3t');
    }
  });

  test('a header name a request cannot carry is refused, naming it', () => {
    const error = thrown(() => createHttpClient({ baseUrl, headers: { 'x api key': SECRET } }));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe('invalid header name "x api key"');
  });

  test('values with whitespace around them, or empty, are sent as fetch sends them', async () => {
    const http = createHttpClient({ baseUrl, headers: { authorization: ` Bearer ${SECRET}\n`, 'x-empty': '' } });
    await http.ky.get(`${baseUrl}/x`).text();
    expect(seen.authorization).toBe(`Bearer ${SECRET}`);
    expect(seen['x-empty']).toBe('');
  });
});
