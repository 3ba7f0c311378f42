import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { FleetMonitor, type FleetMonitorOptions } from '../../src/monitor/fleet-monitor.ts';
import type { MonitorTargetInput } from '../../src/schemas/monitor.ts';

/** 2025-01-01T12:00:00.000Z: every test clock starts here. */
export const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);

/** A clock the test moves by hand. */
export interface TestClock {
  ms: number;
  now: () => number;
  advance(ms: number): void;
}

export function testClock(start = T0): TestClock {
  const clock: TestClock = {
    ms: start,
    now: () => clock.ms,
    advance: (ms) => {
      clock.ms += ms;
    },
  };
  return clock;
}

/** How a path of a {@link TestTarget} answers. */
export interface Reply {
  /** @default 200 */
  status?: number;
  /** A string is sent as text, anything else as JSON. @default { status: 'ok' } */
  body?: unknown;
  /** Called before answering, e.g. to move a test clock forward (a slow answer without waiting). */
  before?: () => void;
  /** Never answer (the probe times out). */
  hang?: boolean;
  /** Answer only once this settles. */
  wait?: Promise<unknown>;
}

/** A real HTTP server on port 0 whose answers the test sets per path. */
export interface TestTarget {
  /** The URL of `path` on this server. */
  url(path?: string): string;
  /** Sets how `path` answers from now on. */
  set(path: string, reply: Reply): void;
  /** Requests received, with their headers. */
  readonly requests: IncomingMessage[];
  /** The most requests that were open at once. */
  readonly maxConcurrent: number;
  /** Requests open now. */
  readonly open: number;
  close(): Promise<void>;
}

const closers: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

export async function startTarget(): Promise<TestTarget> {
  const replies = new Map<string, Reply>();
  const requests: IncomingMessage[] = [];
  const hanging = new Set<ServerResponse>();
  let open = 0;
  let maxConcurrent = 0;
  const server = createServer((req, res) => {
    requests.push(req);
    open += 1;
    maxConcurrent = Math.max(maxConcurrent, open);
    res.on('close', () => {
      open -= 1;
    });
    const reply = replies.get(new URL(req.url ?? '/', 'http://x').pathname) ?? {};
    if (reply.hang) {
      hanging.add(res);
      return;
    }
    const answer = () => {
      reply.before?.();
      const body = reply.body ?? { status: 'ok' };
      const text = typeof body === 'string' ? body : JSON.stringify(body);
      res.writeHead(reply.status ?? 200, {
        'content-type': typeof body === 'string' ? 'text/plain' : 'application/json',
      });
      res.end(text);
    };
    if (reply.wait) void reply.wait.then(answer);
    else answer();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  let closed: Promise<void> | undefined;
  const target: TestTarget = {
    url: (path = '/health') => `http://127.0.0.1:${port}${path}`,
    set: (path, reply) => {
      replies.set(path, reply);
    },
    requests,
    get maxConcurrent() {
      return maxConcurrent;
    },
    get open() {
      return open;
    },
    close: () => {
      closed ??= new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      });
      return closed;
    },
  };
  closers.push(() => target.close());
  return target;
}

/** A promise and its resolver (Node 20 has no `Promise.withResolvers`). */
export function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Resolves once `condition` holds (checked every few milliseconds). */
export async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

/** A URL nothing listens on (a server was there and is closed). */
export async function refusedUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/health`;
}

/** A monitor target with test defaults (a 10 s interval, a 2 s timeout, `[STATUS] == 200`). */
export function targetFor(id: string, url: string, overrides: Partial<MonitorTargetInput> = {}): MonitorTargetInput {
  return {
    id,
    kind: 'custom',
    host: 'local',
    url,
    intervalMs: 10_000,
    timeoutMs: 2_000,
    conditions: ['[STATUS] == 200'],
    ...overrides,
  };
}

let dir: string | undefined;
let files = 0;

/** A fresh database path in a temp directory removed when the test process exits. */
export function freshDbPath(): string {
  if (!dir) {
    const created = mkdtempSync(join(tmpdir(), 'fleet-monitor-'));
    process.once('exit', () => rmSync(created, { recursive: true, force: true }));
    dir = created;
  }
  files += 1;
  return join(dir, `monitor-${files}.db`);
}

/** A monitor on a fresh database file, closed after the test. */
export function openMonitor(
  options: Partial<FleetMonitorOptions> & Pick<FleetMonitorOptions, 'targets'>,
): FleetMonitor {
  const monitor = new FleetMonitor({ dbPath: freshDbPath(), rollupIntervalMs: 0, ...options });
  closers.push(() => monitor.close());
  return monitor;
}

/** Registers a cleanup to run after the current test. */
export function onCleanup(close: () => Promise<void> | void): void {
  closers.push(close);
}
