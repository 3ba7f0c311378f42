import { createServer, type Socket } from 'node:net';

/** A real TCP server on loopback that reads every request and never answers (a hung peer or target). */
export interface HungServer {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  port: number;
  /** Connections that carried a request (undici may also open a spare one that never does). */
  readonly requests: number;
  /** How many of those the client has not closed yet. */
  readonly openRequests: number;
  /** Resolves once `count` requests have arrived. */
  received(count: number): Promise<void>;
  /** Resolves once `count` requests have arrived and the client has closed every one's connection. */
  requestsClosed(count: number): Promise<void>;
  /** Stops listening and drops its connections. */
  close(): Promise<void>;
}

/**
 * Starts a {@link HungServer} on a free loopback port. It reads what it is sent: a server that
 * never reads would never see the client's FIN either, and would count a connection the client
 * closed long ago as open (the socket sits in CLOSE-WAIT on its side). Close it after the test.
 */
export async function startHungServer(): Promise<HungServer> {
  const sockets = new Set<Socket>();
  const carrying = new Set<Socket>();
  let requests = 0;
  const waiters = new Set<() => void>();
  const wake = () => {
    for (const waiter of waiters) waiter();
  };
  const until = (done: () => boolean) =>
    new Promise<void>((resolve) => {
      const check = () => {
        if (!done()) return;
        waiters.delete(check);
        resolve();
      };
      waiters.add(check);
      check();
    });
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.once('data', () => {
      requests += 1;
      carrying.add(socket);
      wake();
    });
    socket.on('data', () => undefined);
    socket.once('close', () => {
      sockets.delete(socket);
      carrying.delete(socket);
      wake();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    port: address.port,
    get requests() {
      return requests;
    },
    get openRequests() {
      return carrying.size;
    },
    received: (count) => until(() => requests >= count),
    requestsClosed: (count) => until(() => requests >= count && carrying.size === 0),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
