import { createRequire } from 'node:module';
import type pg from 'pg';

/** The `pg` module (node-postgres), loaded on first use. */
export type PgDriver = typeof pg;

let driver: PgDriver | undefined;

/**
 * Loads `pg`, an optional peer dependency: only the PostgreSQL store needs it, so clients and the
 * other stores never load it.
 */
export function loadPg(): PgDriver {
  if (driver) return driver;
  try {
    driver = createRequire(import.meta.url)('pg') as PgDriver;
    return driver;
  } catch (error) {
    const missing = (error as { code?: unknown }).code === 'MODULE_NOT_FOUND';
    throw new Error(
      missing
        ? 'install pg to use the PostgreSQL store (npm install pg)'
        : `pg is installed but failed to load: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

const INT8_OID = 20;

/**
 * Bounds on every wait for the database, so that a request answers (503 when the database is
 * gone) instead of hanging: making a connection (or waiting for a free one of the pool), a
 * statement on the server, a reply on the client side (a network that drops packets), and a
 * transaction left idle by a crashed caller.
 */
export const PG_TIMEOUTS = Object.freeze({
  connectMs: 5000,
  statementMs: 30_000,
  queryMs: 35_000,
  idleInTransactionMs: 60_000,
  /**
   * A schema migration's wait for each table lock (its `lock_timeout`): a migration runs without
   * `statement_timeout`, as long as its work takes, but never queues every other statement on a
   * table behind a lock it cannot get.
   */
  migrationLockMs: 10_000,
  /**
   * How long a schema migration waits for an answer it should have at once (its try for the
   * migration lock, another replica's meanwhile), and how often it checks, from another connection,
   * that the server still works on its long statements: a connection whose network went dark is
   * given up within about this long (twice, at worst, during DDL), and the migration tried again
   * on a new one.
   */
  migrationProbeMs: 5000,
  /**
   * How long the server keeps the sweep lock of a replica it no longer hears from (the lock's
   * transaction's `idle_in_transaction_session_timeout`; the holder touches it four times as often):
   * the other replicas' sweeps pause at most about this long when the sweeping one is cut off.
   */
  sweepLockIdleMs: 10_000,
});

/** The bounds of {@link PG_TIMEOUTS}, each of which a pool may set otherwise. */
export type PgTimeouts = { readonly [K in keyof typeof PG_TIMEOUTS]: number };

/** Options of {@link createPool}. */
export interface PgPoolOptions {
  /** `postgres://user:password@host:port/database` */
  url: string;
  /** Most connections open at once. */
  max: number;
  /** Shown in `pg_stat_activity`. */
  applicationName: string;
  /** Bounds other than {@link PG_TIMEOUTS}'s (tests shorten them). */
  timeouts?: Partial<PgTimeouts>;
}

/**
 * A connection of its own, outside any pool (LISTEN needs one that stays open), with the same
 * connection bounds as {@link createPool}.
 */
export function createClient(options: Omit<PgPoolOptions, 'max'>): pg.Client {
  const { Client } = loadPg();
  const timeouts = { ...PG_TIMEOUTS, ...options.timeouts };
  return new Client({
    connectionString: options.url,
    application_name: options.applicationName,
    connectionTimeoutMillis: timeouts.connectMs,
    query_timeout: timeouts.queryMs,
    keepAlive: true,
  });
}

/**
 * A bounded connection pool. `bigint` columns (times in milliseconds, sequence numbers) come back
 * as numbers: every value the stores keep there is far below 2^53.
 */
export function createPool(options: PgPoolOptions): pg.Pool {
  const { Pool, types } = loadPg();
  const timeouts = { ...PG_TIMEOUTS, ...options.timeouts };
  return new Pool({
    connectionString: options.url,
    max: options.max,
    application_name: options.applicationName,
    connectionTimeoutMillis: timeouts.connectMs,
    statement_timeout: timeouts.statementMs,
    query_timeout: timeouts.queryMs,
    idle_in_transaction_session_timeout: timeouts.idleInTransactionMs,
    keepAlive: true,
    // Idle connections (and the store's once-a-second wakeup fallback, which keeps some from ever
    // idling out) must not keep alive a process that forgot to close its store.
    allowExitOnIdle: true,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID && format !== 'binary'
          ? Number
          : types.getTypeParser(oid, format)) as typeof types.getTypeParser,
    },
  });
}

/**
 * Runs `fn` with a connection of `pool` and gives it back. While it is checked out, a connection the
 * server loses emits 'error' on the client, which the pool hears only while the client is idle:
 * unheard, it would crash the process, so this listens (the statement running on it rejects on its
 * own). The connection goes back to the pool unless it was lost or `fn` called `drop()` (it failed
 * a statement, or its state is unknown): then the pool closes it and never gives it out again.
 */
export async function withPooledClient<T>(
  pool: pg.Pool,
  fn: (client: pg.PoolClient, drop: () => void) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  const drop = () => {
    broken = true;
  };
  client.on('error', drop);
  try {
    return await fn(client, drop);
  } finally {
    client.removeListener('error', drop);
    client.release(broken);
  }
}

/**
 * Closes `client`'s socket at once, without the goodbye `end()` sends (which a connection whose
 * network went dark would never deliver): its pending queries reject as a lost connection.
 */
export function destroyConnection(client: pg.ClientBase): void {
  (client as { connection?: { stream?: { destroy?: () => void } } }).connection?.stream?.destroy?.();
}

/** The server process (`pg_stat_activity.pid`) of a connected `client`, when known. */
export function backendPid(client: pg.ClientBase): number | undefined {
  const pid = (client as { processID?: unknown }).processID;
  return typeof pid === 'number' ? pid : undefined;
}

/**
 * Queries on `pool` whose connections first get `settings` (one `SET` each, on a connection's
 * first query), e.g. `{ plan_cache_mode: 'force_generic_plan' }`. Only for settings this code
 * chooses: names and values must be plain words.
 */
export function queryWithSettings(
  pool: pg.Pool,
  settings: Readonly<Record<string, string>>,
): (query: pg.QueryConfig) => Promise<pg.QueryResult> {
  const statements = Object.entries(settings).map(([name, value]) => {
    if (!/^[a-z_]+$/.test(name) || !/^[\w.]+$/.test(value)) throw new TypeError(`unsupported setting ${name}=${value}`);
    return `SET ${name} = ${value}`;
  });
  const set = statements.join('; ');
  const configured = new WeakSet<pg.PoolClient>();
  return (query) =>
    withPooledClient(pool, async (client, drop) => {
      try {
        if (!configured.has(client)) {
          await client.query(set);
          configured.add(client);
        }
        return await client.query(query);
      } catch (error) {
        // As pool.query does: a connection that failed a query is not given out again.
        drop();
        throw error;
      }
    });
}
