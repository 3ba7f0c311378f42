import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BusServerOptions, startBusServer } from '@fleet/bus-server';
import { BusClient, type BusClientOptions } from '../src/index.ts';

/** A real bus server on a free port over a fresh SQLite file, and clients for it. */
export interface TestBus {
  url: string;
  port: number;
  /** The database file, to restart a server on the same data. */
  db: string;
  /** A client of this server; `options` override the defaults (no token, no retries). */
  client(options?: Partial<BusClientOptions>): BusClient;
  /** Stops the server (idempotent); the data stays until the test process exits. */
  close(): Promise<void>;
}

/** Starts a bus server on port 0 with its own temp directory. */
export async function startTestBus(options: BusServerOptions = {}): Promise<TestBus> {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-bus-client-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const db = options.db ?? join(dir, 'bus.db');
  const server = await startBusServer({ port: 0, ...options, db });
  let closed: Promise<void> | undefined;
  return {
    url: server.url,
    port: server.port,
    db,
    client: (overrides = {}) => new BusClient({ url: server.url, retry: 0, ...overrides }),
    close: () => {
      closed ??= server.close();
      return closed;
    },
  };
}

/** The error a promise rejects with (fails the test when it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

/** A promise and its resolver (Node 20 has no `Promise.withResolvers`). */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
