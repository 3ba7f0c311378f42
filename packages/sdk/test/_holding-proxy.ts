import { createServer, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { deferred } from './_bus-server.ts';

/** A proxy in front of a real server that holds the answers to one path part way. */
export interface HoldingProxy {
  url: string;
  /** Resolves when an answer to the held path has arrived from the server (and is being held). */
  answered: Promise<void>;
  /** Lets the held answers go on to the client. */
  release(): void;
  close(): Promise<void>;
}

/**
 * Forwards every request to `target`. Answers to `path` are held once the server has sent them:
 * with `hold: 'body'` the status and headers go on to the client at once and the body waits for
 * `release()` (a large answer still arriving); with `hold: 'all'` nothing of it does (an answer
 * still on the way).
 */
export async function holdingProxy(target: string, path: string, hold: 'body' | 'all'): Promise<HoldingProxy> {
  const answered = deferred();
  const released = deferred();
  const open = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    open.add(res);
    res.on('close', () => open.delete(res));
    const upstream = request(
      new URL(req.url ?? '/', target),
      { method: req.method, headers: req.headers },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => {
          const send = () => {
            if (!res.headersSent) res.writeHead(answer.statusCode ?? 502, answer.headers);
            res.end(Buffer.concat(chunks));
          };
          if (req.url?.split('?')[0] !== path) return send();
          if (hold === 'body') {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            res.flushHeaders();
          }
          answered.resolve();
          void released.promise.then(send);
        });
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    answered: answered.promise,
    release: () => released.resolve(),
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of open) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
