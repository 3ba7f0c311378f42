import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { DEFAULT_PORTS } from '@fleet/sdk';
import { createFleetServer, type FleetServer } from '@fleet/sdk/server';
import {
  type MessageStore,
  type MessageStoreOptions,
  openMessageStore,
  SqliteMessageStore,
  startSweeper,
} from '@fleet/sdk/stores';
import { isDatabaseUrl, redact, redactingLogger, secretsOf } from './internal/database-url.ts';
import { registerBusMetrics } from './metrics.ts';
import { busRouteImplementations } from './routes.ts';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

/** Options of {@link createBusServer}. */
export interface CreateBusServerOptions {
  /** The store to serve; the server closes it when it closes. */
  store: MessageStore;
  /** Bearer tokens; when any is set, every route but `/health` and `/openapi.json` needs one. */
  tokens?: string[];
  /**
   * Without tokens: the `Host` names answered besides IP addresses and `localhost` (a name, `.domain`
   * for it and its subdomains, or `*`); see `FleetServerOptions.allowedHosts`. @default []
   */
  allowedHosts?: string[];
  /** Largest request body accepted. @default 1048576 */
  bodyLimitBytes?: number;
  /** Where the server reports errors; never given tokens or bodies. */
  logger?: Pick<Console, 'info' | 'warn' | 'error'>;
}

/** The bus as an unstarted Fleet server over a given store (tests use `server.fetch` in-process). */
export function createBusServer(options: CreateBusServerOptions): FleetServer {
  const { store } = options;
  const server = createFleetServer({
    service: 'fleet-bus',
    version,
    routes: busRouteImplementations(store),
    ...(options.tokens ? { tokens: options.tokens } : {}),
    ...(options.allowedHosts ? { allowedHosts: options.allowedHosts } : {}),
    ...(options.bodyLimitBytes ? { bodyLimitBytes: options.bodyLimitBytes } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    health: async () => ({ storage: store.backend, ...(await store.health?.()) }),
    metrics: (registry) => registerBusMetrics(registry, store),
    onClose: async () => {
      // A sweep that is running finishes before the store closes under it.
      await sweeper.stop();
      await store.close();
    },
  });
  // Started once the server exists: options createFleetServer refuses leave no timer behind.
  const sweeper = startSweeper(store, { logger: options.logger });
  return server;
}

/** Options of {@link startBusServer}. */
export interface BusServerOptions {
  /** Address to bind. @default '127.0.0.1' */
  host?: string;
  /** Port to bind; 0 picks a free one. @default 8650 */
  port?: number;
  /**
   * SQLite file, `:memory:` for the in-memory store, or a `postgres://` URL: several bus servers
   * may share one PostgreSQL database. A password in the URL is never logged.
   * @default './fleet-bus.db'
   */
  db?: string;
  /** Bearer tokens (see {@link CreateBusServerOptions.tokens}). */
  tokens?: string[];
  /** See {@link CreateBusServerOptions.allowedHosts}. @default [] */
  allowedHosts?: string[];
  /** Allow binding a non-loopback address without tokens. @default false */
  insecure?: boolean;
  /** `normal` survives a process crash; `fsync` survives power loss too. @default 'normal' */
  durability?: 'normal' | 'fsync';
  /** Largest request body accepted. @default 1048576 */
  bodyLimitBytes?: number;
  /** Store tunables: max attempts, audit retention, agent retention, idempotency window, backoff (see {@link MessageStoreOptions}). */
  store?: Omit<MessageStoreOptions, 'now' | 'random'>;
  /** Where the server reports errors. */
  logger?: Pick<Console, 'info' | 'warn' | 'error'>;
}

/** A bus server that is listening. */
export interface RunningBusServer {
  /** Base URL, e.g. `http://127.0.0.1:8650`. */
  url: string;
  /** The bound port (useful with `port: 0`). */
  port: number;
  /** The underlying Fleet server. */
  server: FleetServer;
  /**
   * The SQLite store's durability, read back from its connection (`PRAGMA synchronous`), not echoed
   * from the options; absent for the in-memory and PostgreSQL stores.
   */
  durability?: SqliteMessageStore['durability'];
  /** Stops accepting, finishes in-flight requests, closes the store. */
  close(): Promise<void>;
}

/** Opens the store, starts the bus server and listens. */
export async function startBusServer(options: BusServerOptions = {}): Promise<RunningBusServer> {
  const db = options.db ?? './fleet-bus.db';
  if (db !== ':memory:' && !isDatabaseUrl(db)) mkdirSync(dirname(db), { recursive: true });
  const secrets = secretsOf(db);
  let store: MessageStore;
  try {
    store = openMessageStore(db, { ...options.store, durability: options.durability ?? 'normal' });
  } catch (error) {
    throw new Error(redact((error as Error).message, secrets));
  }
  let server: FleetServer;
  try {
    server = createBusServer({
      store,
      ...(options.tokens ? { tokens: options.tokens } : {}),
      ...(options.allowedHosts ? { allowedHosts: options.allowedHosts } : {}),
      ...(options.bodyLimitBytes ? { bodyLimitBytes: options.bodyLimitBytes } : {}),
      ...(options.logger ? { logger: redactingLogger(options.logger, secrets) } : {}),
    });
  } catch (error) {
    // Options the server refuses (a negative body limit, say): the store opened for it closes.
    await store.close();
    throw error;
  }
  try {
    const { url, port } = await server.listen({
      host: options.host ?? '127.0.0.1',
      port: options.port ?? DEFAULT_PORTS.bus,
      insecure: options.insecure ?? false,
    });
    const durability = store instanceof SqliteMessageStore ? store.durability : undefined;
    return { url, port, server, ...(durability ? { durability } : {}), close: () => server.close() };
  } catch (error) {
    await server.close();
    throw error;
  }
}
