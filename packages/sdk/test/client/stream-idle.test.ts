import { createServer, type Server } from 'node:net';
import { afterEach, expect, test } from 'vitest';
import { BusClient, createHttpClient, FleetConnectionError, streamRoute } from '../../src/index.ts';
import { startToy, toyRoutes } from '../server/_toy.ts';

const closers: Array<() => unknown> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** A host that accepts an event stream and then says nothing, as a connection lost without a close. */
async function silentStreamHost(): Promise<string> {
  const server: Server = createServer((socket) => {
    socket.once('data', () => socket.write('HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n\r\n'));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => server.close(resolve)));
  closers.push(() => server.unref());
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

test('an event stream that stays silent past idleTimeoutMs throws a FleetConnectionError', async () => {
  const url = await silentStreamHost();
  const opened: string[] = [];
  const stream = new BusClient({ url, retry: 0 }).stream('worker', {
    idleTimeoutMs: 300,
    onOpen: () => opened.push('open'),
  });
  const error = await stream.next().then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(opened).toEqual(['open']);
  expect(error).toBeInstanceOf(FleetConnectionError);
  expect((error as FleetConnectionError).reason).toBe('the event stream was silent for 300 ms');
});

test('keep-alive comments keep a quiet stream open past idleTimeoutMs', async () => {
  const toy = await startToy('http', { sseKeepAliveMs: 50 });
  closers.push(() => toy.close());
  const controller = new AbortController();
  const http = createHttpClient({ baseUrl: toy.url, retry: 0 });
  const seen: number[] = [];
  const reading = (async () => {
    for await (const event of streamRoute(
      http,
      toyRoutes.stream,
      { query: { count: 1 } },
      { signal: controller.signal, idleTimeoutMs: 300 },
    )) {
      seen.push(event.n);
    }
  })();
  await new Promise((resolve) => setTimeout(resolve, 900));
  controller.abort();
  await expect(reading).resolves.toBeUndefined();
  expect(seen).toEqual([0]);
});

test('an onOpen that throws ends the stream with its error and closes the connection', async () => {
  let closed!: () => void;
  const connectionClosed = new Promise<void>((resolve) => {
    closed = resolve;
  });
  const server: Server = createServer((socket) => {
    socket.once('data', () => socket.write('HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n\r\n'));
    socket.on('error', () => undefined);
    socket.on('close', () => closed());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => server.close(resolve)));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const stream = new BusClient({ url, retry: 0 }).stream('worker', {
    onOpen: () => {
      throw new Error('onOpen bug');
    },
  });
  await expect(stream.next()).rejects.toThrow('onOpen bug');
  // The client's end of the stream is cancelled: the server sees the connection close (the
  // default idle timeout, 45 s, is far away).
  await connectionClosed;
});
