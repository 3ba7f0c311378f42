import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEFAULT_HEADERS_TIMEOUT_MS, DEFAULT_REQUEST_TIMEOUT_MS } from '../../src/server/create-server.ts';
import { headOf, openRaw } from './_raw-socket.ts';
import { type Harness, startToy } from './_toy.ts';

describe('request timeouts', () => {
  let toy: Harness;
  beforeAll(async () => {
    toy = await startToy('http', { requestTimeoutMs: 400, headersTimeoutMs: 200 });
  });
  afterAll(() => toy.close());

  test('default to far less than node:http’s 300 s', () => {
    expect(DEFAULT_REQUEST_TIMEOUT_MS).toBeLessThanOrEqual(60_000);
    expect(DEFAULT_HEADERS_TIMEOUT_MS).toBeLessThanOrEqual(DEFAULT_REQUEST_TIMEOUT_MS);
  });

  test('a body that stops arriving is answered 408 request_timeout and the connection closed', async () => {
    const connection = await openRaw(toy.url);
    connection.socket.write(
      'POST /messages HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"messages":',
    );
    const head = headOf(await connection.waitFor('"code":"request_timeout"'));
    expect(head.status).toBe(408);
    await connection.closed;
  });

  test('headers that stop arriving are answered 408 request_timeout', async () => {
    const connection = await openRaw(toy.url);
    connection.socket.write('GET /version HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    expect(headOf(await connection.waitFor('\r\n\r\n')).status).toBe(408);
    await connection.closed;
  });

  test('a long poll, received whole, outlives the request timeout', async () => {
    const poll = await openRaw(toy.url);
    poll.socket.write('GET /slow HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await toy.probe.slowStarted.promise;
    // A request started after the poll's, timed out: the poll is older than the timeout by now.
    const stalled = await openRaw(toy.url);
    stalled.socket.write('POST /messages HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 10\r\n\r\n{');
    expect(headOf(await stalled.waitFor('\r\n\r\n')).status).toBe(408);
    await stalled.closed;
    expect(poll.isClosed()).toBe(false);
    toy.probe.slowRelease.resolve();
    expect(headOf(await poll.waitFor('{"done":true}')).status).toBe(200);
    poll.socket.destroy();
  });
});
