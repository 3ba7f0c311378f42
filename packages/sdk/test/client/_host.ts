import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach } from 'vitest';

/** A real HTTP server on port 0 that the test closes, open answers included. */
export interface TestHost {
  url: string;
  /** Resolves when the client has closed the connection of the first request. */
  closedByClient: Promise<void>;
  close(): Promise<void>;
}

/** Starts a server that hands every request to `answer`. */
export async function host(answer: (res: ServerResponse, req: IncomingMessage) => void): Promise<TestHost> {
  const open = new Set<ServerResponse>();
  let closed!: () => void;
  const closedByClient = new Promise<void>((resolve) => {
    closed = resolve;
  });
  const server = createServer((req, res) => {
    open.add(res);
    res.on('close', () => {
      open.delete(res);
      if (!res.writableEnded) closed();
    });
    answer(res, req);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    closedByClient,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of open) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** What a promise rejected with; a fulfilment fails the test. */
export function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

const closers: Array<() => unknown> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** Runs `close` after the current test (servers, workers), in the order given. */
export function closeAfterTest(close: () => unknown): void {
  closers.push(close);
}

/** {@link host}, closed after the current test. */
export async function started(answer: (res: ServerResponse, req: IncomingMessage) => void): Promise<TestHost> {
  const server = await host(answer);
  closeAfterTest(() => server.close());
  return server;
}
