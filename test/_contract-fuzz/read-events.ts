import { request as httpRequest, type IncomingMessage } from 'node:http';
import { type SseEvent, SseParser } from '@fleet/sdk';
import type { FuzzRequest } from './send.ts';

/** An open event stream: the answer's head, and its events as they come. */
export interface OpenEventStream {
  status: number;
  contentType: string;
  /** Waits until `count` events came since the stream opened (or `ms` passed), and returns them all. */
  eventsUntil(count: number, ms: number): Promise<SseEvent[]>;
  close(): void;
}

/** Opens `request` as an event stream on the server at `base`, parsing its events with the SDK's parser. */
export function openEventStream(base: string, request: FuzzRequest): Promise<OpenEventStream> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: url.hostname, port: url.port, method: request.method, path: request.target, headers: request.headers },
      (res: IncomingMessage) => {
        const parser = new SseParser();
        const events: SseEvent[] = [];
        const waiters = new Set<() => void>();
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          events.push(...parser.push(chunk));
          for (const wake of waiters) wake();
        });
        res.on('error', () => {});
        resolve({
          status: res.statusCode ?? 0,
          contentType: String(res.headers['content-type'] ?? ''),
          eventsUntil(count, ms) {
            return new Promise((done) => {
              const check = () => {
                if (events.length < count) return;
                clearTimeout(timer);
                waiters.delete(check);
                done([...events]);
              };
              const timer = setTimeout(() => {
                waiters.delete(check);
                done([...events]);
              }, ms);
              waiters.add(check);
              check();
            });
          },
          close: () => res.destroy(),
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}
