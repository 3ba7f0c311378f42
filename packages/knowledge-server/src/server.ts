import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { DEFAULT_PORTS } from '@fleet/sdk';
import { createFleetServer, type FleetServer } from '@fleet/sdk/server';
import { KnowledgeDB, SyncEngine } from '@fleet/sdk/stores';
import { registerKnowledgeMetrics } from './metrics.ts';
import { type PeerSpec, parsePeerSpec, registerPeers } from './peer-specs.ts';
import { knowledgeRouteImplementations } from './routes.ts';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

/** Default interval of the tombstone and expired-fact collection. */
const GC_INTERVAL_MS = 60_000;

/** Where the server reports what goes wrong; never given tokens or bodies. */
type Logger = Pick<Console, 'info' | 'warn' | 'error'>;

/** Options of {@link createKnowledgeServer}. */
export interface CreateKnowledgeServerOptions {
  /** The database to serve; the server closes it when it closes. */
  db: KnowledgeDB;
  /**
   * Syncs with the peers (`POST /sync/run` and the interval). The default one is started at once
   * (unless `syncIntervalMs` is 0); a given one is the caller's to start. Either is stopped when
   * the server closes.
   * @default new SyncEngine({ db, intervalMs: syncIntervalMs })
   */
  engine?: SyncEngine;
  /**
   * How often the default engine syncs with every peer, in ms; 0 syncs only on demand (`/sync/run`).
   * @default 10000
   */
  syncIntervalMs?: number;
  /** How often tombstones and expired facts are collected, in ms; 0: never. @default 60000 */
  gcIntervalMs?: number;
  /** Bearer tokens; when any is set, every route but `/health` and `/openapi.json` needs one. */
  tokens?: string[];
  /**
   * Without tokens: the `Host` names answered besides IP addresses and `localhost` (a name, `.domain`
   * for it and its subdomains, or `*`); see `FleetServerOptions.allowedHosts`. @default []
   */
  allowedHosts?: string[];
  /** Largest request body accepted. @default 1048576 */
  bodyLimitBytes?: number;
  /** Where the server reports errors. */
  logger?: Logger;
}

/**
 * A knowledge node as an unstarted Fleet server over a given database (tests use `server.fetch`
 * in-process). Starts the GC timer (and the default sync engine); closing the server stops both
 * and closes the database.
 */
export function createKnowledgeServer(options: CreateKnowledgeServerOptions): FleetServer {
  const { db, logger } = options;
  const syncIntervalMs = options.syncIntervalMs ?? 10_000;
  const engine =
    options.engine ??
    new SyncEngine({
      db,
      ...(syncIntervalMs > 0 ? { intervalMs: syncIntervalMs } : {}),
      ...(logger ? { logger } : {}),
    });
  if (options.engine === undefined && syncIntervalMs > 0) engine.start();
  const gcIntervalMs = options.gcIntervalMs ?? GC_INTERVAL_MS;
  const collector =
    gcIntervalMs > 0
      ? setInterval(() => {
          try {
            db.gc();
          } catch (error) {
            logger?.error('knowledge gc failed', error);
          }
        }, gcIntervalMs)
      : undefined;
  collector?.unref();
  return createFleetServer({
    service: 'fleet-knowledge',
    version,
    routes: knowledgeRouteImplementations(db, engine),
    ...(options.tokens ? { tokens: options.tokens } : {}),
    ...(options.allowedHosts ? { allowedHosts: options.allowedHosts } : {}),
    ...(options.bodyLimitBytes ? { bodyLimitBytes: options.bodyLimitBytes } : {}),
    ...(logger ? { logger } : {}),
    health: () => ({ nodeId: db.nodeId, storage: 'sqlite' }),
    metrics: (registry) => registerKnowledgeMetrics(registry, db),
    onClose: async () => {
      clearInterval(collector);
      await engine.stop();
      db.close();
    },
  });
}

/** Options of {@link startKnowledgeServer}. */
export interface KnowledgeServerOptions {
  /** Address to bind. @default '127.0.0.1' */
  host?: string;
  /** Port to bind; 0 picks a free one. @default 8651 */
  port?: number;
  /** SQLite file, or `:memory:`. @default './fleet-knowledge.db' */
  db?: string;
  /** This node's id; stored in the database on first start (generated when absent). */
  nodeId?: string;
  /** Bearer tokens (see {@link CreateKnowledgeServerOptions.tokens}). */
  tokens?: string[];
  /** See {@link CreateKnowledgeServerOptions.allowedHosts}. @default [] */
  allowedHosts?: string[];
  /** Allow binding a non-loopback address without tokens. @default false */
  insecure?: boolean;
  /**
   * Peers to sync with: `URL` (the id is learned from its `/health`), `ID=URL`, or a `PeerSpec`
   * (with its own token, as `knowledgePeers()` reads them from the fleet file). Registered in the
   * database, next to the peers added through `POST /peers`.
   * @example ['http://ezra:8651', 'mira=http://10.0.0.7:8651']
   */
  peers?: Array<string | PeerSpec>;
  /** Bearer token this node presents to the `peers`. */
  peerToken?: string;
  /** How often to sync with every peer, in ms; 0: only on demand. @default 10000 */
  syncIntervalMs?: number;
  /** How often tombstones and expired facts are collected, in ms; 0: never. @default 60000 */
  gcIntervalMs?: number;
  /** Largest request body accepted. @default 1048576 */
  bodyLimitBytes?: number;
  /** Where the server reports errors. */
  logger?: Logger;
}

/** A knowledge server that is listening. */
export interface RunningKnowledgeServer {
  /** Base URL, e.g. `http://127.0.0.1:8651`. */
  url: string;
  /** The bound port (useful with `port: 0`). */
  port: number;
  /** This node's id. */
  nodeId: string;
  /** The underlying Fleet server. */
  server: FleetServer;
  /** The database it serves. */
  db: KnowledgeDB;
  /** Stops accepting, finishes in-flight requests, stops syncing, closes the database. */
  close(): Promise<void>;
}

/** Opens the database, starts the knowledge server and listens; registers the `peers` once listening. */
export async function startKnowledgeServer(options: KnowledgeServerOptions = {}): Promise<RunningKnowledgeServer> {
  const specs: PeerSpec[] = (options.peers ?? []).map((peer) =>
    typeof peer === 'string' ? parsePeerSpec(peer) : peer,
  );
  const path = options.db ?? './fleet-knowledge.db';
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new KnowledgeDB({ path, ...(options.nodeId !== undefined ? { nodeId: options.nodeId } : {}) });
  const syncIntervalMs = options.syncIntervalMs ?? 10_000;
  const engine = new SyncEngine({
    db,
    ...(syncIntervalMs > 0 ? { intervalMs: syncIntervalMs } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  const server = createKnowledgeServer({
    db,
    engine,
    ...(options.gcIntervalMs !== undefined ? { gcIntervalMs: options.gcIntervalMs } : {}),
    ...(options.tokens ? { tokens: options.tokens } : {}),
    ...(options.allowedHosts ? { allowedHosts: options.allowedHosts } : {}),
    ...(options.bodyLimitBytes ? { bodyLimitBytes: options.bodyLimitBytes } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  let address: { url: string; port: number };
  try {
    address = await server.listen({
      host: options.host ?? '127.0.0.1',
      port: options.port ?? DEFAULT_PORTS.knowledge,
      insecure: options.insecure ?? false,
    });
  } catch (error) {
    await server.close();
    throw error;
  }
  if (syncIntervalMs > 0) engine.start();
  const stopRegistering = new AbortController();
  void registerPeers(db, specs, {
    signal: stopRegistering.signal,
    ...(options.peerToken ? { token: options.peerToken } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    onRegistered: (id) => {
      // Sync a newly known peer now rather than at the next interval.
      if (syncIntervalMs > 0) engine.syncPeer(id).catch(() => {});
    },
  }).catch((error: unknown) => options.logger?.error('registering peers failed', error));
  return {
    url: address.url,
    port: address.port,
    nodeId: db.nodeId,
    server,
    db,
    close: () => {
      stopRegistering.abort();
      return server.close();
    },
  };
}
