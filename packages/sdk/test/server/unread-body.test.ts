import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { headOf, openRaw, type RawConnection, sendUntilClosed } from './_raw-socket.ts';
import { type Harness, startToy } from './_toy.ts';

const LIMIT = 1024;
const TOKEN = 'unread-body-token';
const AUTH = `Authorization: Bearer ${TOKEN}\r\n`;
const BODY = '{"messages":[{"to":"a"}]}';

/** The head of a POST to `/messages`, ending with its blank line. */
function postHead(headers: string): string {
  return `POST /messages HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n${headers}\r\n`;
}

/** Waits for the first answer's head on `connection`; destroys the connection when `check` throws. */
async function answerHead(connection: RawConnection) {
  return headOf(await connection.waitFor('\r\n\r\n'));
}

/** Servers served straight from node:http, and all through h3 (an `app.use` middleware sends every request there). */
const ways = ['direct', 'h3'] as const;

describe.each(ways)('a body the server does not read (%s)', (way) => {
  let toy: Harness;
  beforeAll(async () => {
    toy = await startToy('http', { tokens: [TOKEN], bodyLimitBytes: LIMIT });
    if (way === 'h3') toy.server.app.use((_event, next) => next());
  });
  afterAll(() => toy.close());

  test('a request refused before its body is read (no token) is answered, then its connection closed', async () => {
    const connection = await openRaw(toy.url);
    try {
      connection.socket.write(postHead('Content-Length: 1000000000000\r\n'));
      const sending = sendUntilClosed(connection, false);
      const head = await answerHead(connection);
      expect(head.status).toBe(401);
      expect(head.headers.connection).toBe('close');
      await connection.closed;
      await sending;
    } finally {
      connection.socket.destroy();
    }
  });

  test('a chunked body refused past the limit is not read on: the connection closes after the 413', async () => {
    const connection = await openRaw(toy.url);
    try {
      connection.socket.write(postHead(`${AUTH}Transfer-Encoding: chunked\r\n`));
      const sending = sendUntilClosed(connection, true);
      const head = await answerHead(connection);
      expect(head.status).toBe(413);
      expect(head.headers.connection).toBe('close');
      expect(connection.received()).toContain('"code":"payload_too_large"');
      await connection.closed;
      await sending;
    } finally {
      connection.socket.destroy();
    }
  });

  test('Expect: 100-continue with a declared length over the limit gets the 413 without 100 Continue', async () => {
    const connection = await openRaw(toy.url);
    try {
      connection.socket.write(postHead(`${AUTH}Content-Length: 10000000\r\nExpect: 100-continue\r\n`));
      const head = await answerHead(connection);
      expect(head.status).toBe(413);
      expect(head.headers.connection).toBe('close');
      expect(connection.received()).not.toContain('100 Continue');
      expect(connection.received()).toContain('"code":"payload_too_large"');
      await connection.closed;
    } finally {
      connection.socket.destroy();
    }
  });

  test('Expect: 100-continue without a token gets the 401 without 100 Continue, and the connection closes', async () => {
    const connection = await openRaw(toy.url);
    try {
      connection.socket.write(postHead(`Content-Length: ${BODY.length}\r\nExpect: 100-continue\r\n`));
      const head = await answerHead(connection);
      expect(head.status).toBe(401);
      expect(head.headers.connection).toBe('close');
      expect(connection.received()).not.toContain('100 Continue');
      await connection.closed;
    } finally {
      connection.socket.destroy();
    }
  });

  test('Expect: 100-continue on a route that reads the body gets 100 Continue, then the answer, and the connection stays', async () => {
    const connection = await openRaw(toy.url);
    try {
      connection.socket.write(postHead(`${AUTH}Content-Length: ${BODY.length}\r\nExpect: 100-continue\r\n`));
      await connection.waitFor('HTTP/1.1 100 Continue\r\n\r\n');
      connection.socket.write(BODY);
      await connection.waitFor('{"sent":1}');
      expect(connection.received()).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 201 /);
      expect(connection.received()).toContain('keep-alive');
      // The same connection serves the next request.
      connection.socket.write(postHead(`${AUTH}Content-Length: ${BODY.length}\r\n`) + BODY);
      await connection.waitFor('{"sent":1}', 2);
    } finally {
      connection.socket.destroy();
    }
  });

  test('a request whose body was read whole keeps its connection', async () => {
    const connection = await openRaw(toy.url);
    try {
      connection.socket.write(postHead(`${AUTH}Content-Length: ${BODY.length}\r\n`) + BODY);
      const head = await answerHead(connection);
      expect(head.status).toBe(201);
      expect(head.headers.connection).toBe('keep-alive');
      expect(connection.isClosed()).toBe(false);
    } finally {
      connection.socket.destroy();
    }
  });
});
