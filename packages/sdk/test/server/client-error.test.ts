import { type AddressInfo, connect, createServer as createNetServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ErrorEnvelope } from '../../src/schemas/error.ts';
import { answerClientError } from '../../src/server/internal/client-error.ts';
import { type Harness, startToy } from './_toy.ts';

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Sends `bytes` as they are on a new connection and reads until the server closes it. */
function rawRequest(port: number, bytes: string): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    // The server may close before it has read all we sent: a reset then ends the read.
    socket.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' ? undefined : reject(error)));
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const [head = '', body = ''] = text.split('\r\n\r\n');
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers = Object.fromEntries(
        lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
      );
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body });
    });
    socket.write(bytes, 'latin1');
  });
}

describe('requests node:http refuses before any route runs', () => {
  let harness: Harness;
  let port: number;
  beforeAll(async () => {
    harness = await startToy('http');
    port = Number(new URL(harness.url).port);
  });
  afterAll(() => harness.close());

  test.each([
    ['raw non-ASCII bytes in the path', 'GET /items/\xc3\xa9 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', 'url'],
    ['a space inside a header name', 'GET /items/ab HTTP/1.1\r\nHost: 127.0.0.1\r\nBad Name: 1\r\n\r\n', 'headers'],
    [
      'two different content lengths',
      'POST /messages HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n{}',
      'headers',
    ],
    ['a request line that is not HTTP', 'HELLO\r\n\r\n', 'method'],
  ])('%s: 400 validation_failed naming the part, in the envelope', async (_name, bytes, field) => {
    const answer = await rawRequest(port, bytes);
    expect(answer.status).toBe(400);
    expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(answer.headers.connection).toBe('close');
    expect(Number(answer.headers['content-length'])).toBe(Buffer.byteLength(answer.body));
    const envelope = ErrorEnvelope.parse(JSON.parse(answer.body));
    expect(envelope.error.code).toBe('validation_failed');
    expect(envelope.error.message).toMatch(/^Malformed HTTP request/);
    expect(envelope.error.details).toMatchObject({ issues: [{ field }] });
  });

  test('headers past maxHeaderSize: 431 headers_too_large, in the envelope', async () => {
    const answer = await rawRequest(port, `GET /items?tag=${'a'.repeat(100_000)} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    expect(answer.status).toBe(431);
    expect(JSON.parse(answer.body)).toEqual({
      error: {
        code: 'headers_too_large',
        message: 'The request line and headers are longer than the 16,384 bytes the server reads',
      },
    });
  });

  test('the refused bytes are never echoed back', async () => {
    const answer = await rawRequest(port, 'GET /items HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Secret: hunter2\0\r\n\r\n');
    expect(answer.status).toBe(400);
    expect(answer.body).not.toContain('hunter2');
  });

  test('the server goes on answering on other connections', async () => {
    await rawRequest(port, 'HELLO\r\n\r\n');
    const response = await fetch(`${harness.url}/items/ab`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ id: 'ab' });
  });
});

describe('answerClientError', () => {
  /** What a client reads when the server's side of its connection gets `error`. */
  async function answerTo(error: NodeJS.ErrnoException): Promise<string> {
    const server = createNetServer((socket) => answerClientError(error, socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
      const chunks: Buffer[] = [];
      socket.on('data', (chunk) => chunks.push(chunk));
      await new Promise((resolve) => socket.on('close', resolve));
      return Buffer.concat(chunks).toString();
    } finally {
      server.close();
    }
  }

  test('a request that did not arrive in time: 408 request_timeout', async () => {
    const error = Object.assign(new Error('Request timeout'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' });
    const text = await answerTo(error);
    expect(text.split('\r\n')[0]).toBe('HTTP/1.1 408 Request Timeout');
    expect(JSON.parse(text.split('\r\n\r\n')[1] ?? '')).toEqual({
      error: { code: 'request_timeout', message: 'The request did not arrive in time' },
    });
  });

  test('a socket error (not the parser): the connection closes with nothing written', async () => {
    expect(await answerTo(Object.assign(new Error('reset'), { code: 'ECONNRESET' }))).toBe('');
  });
});
