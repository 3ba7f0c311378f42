import { type DarkenableProxy, darkenableProxy } from '@fleet/test-utils/dark-proxy';
import { hasPostgres, startPostgres, type TestPostgres } from '@fleet/test-utils/postgres';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { watchedQuery } from '../src/bus/postgres/backend-watch.ts';
import { PgDatabase } from '../src/bus/postgres/database.ts';
import { MIGRATION_LOCK } from '../src/bus/postgres/schema.ts';
import { createPool, type PgTimeouts } from '../src/internal/pg-driver.ts';

// A migration waiting for another replica's migration lock when the network under its connection
// goes dark, without a FIN or RST (a NAT that forgot it): the replica must notice within its probe
// bound and migrate again on a new connection, and closing it must not wait for the dead one. Its
// long statements (DDL) are watched from another connection for the same reason.

describe.skipIf(!hasPostgres())('a PostgreSQL migration whose connection goes dark', () => {
  let server: TestPostgres;
  const cleanups: (() => Promise<void> | void)[] = [];

  beforeAll(async () => {
    server = await startPostgres();
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  afterAll(() => server?.stop());

  /** A database whose migration lock another replica holds, and a store migrating through a proxy. */
  async function waitingForTheLock(timeouts: Partial<PgTimeouts>) {
    const url = await server.createDatabase();
    const holder = new pg.Client({ connectionString: url });
    holder.on('error', () => undefined);
    await holder.connect();
    cleanups.push(() => holder.end().catch(() => undefined));
    await holder.query('BEGIN');
    await holder.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    const proxy: DarkenableProxy = await darkenableProxy(new URL(url));
    cleanups.push(() => proxy.close());
    const database = new PgDatabase({ url: proxy.url, max: 2, now: () => Date.now(), timeouts });
    cleanups.push(async () => {
      database.close();
      await database.settled();
      await database.end();
    });
    // The migration now waits for the lock on a connection through the proxy.
    await expect.poll(() => migrationTrying(url), { timeout: 5000 }).toBe(true);
    return { database, holder, proxy };
  }

  /** Whether the store's migration is trying the lock another replica holds. */
  async function migrationTrying(url: string): Promise<boolean> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query(
        `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'fleet-bus'
          AND query LIKE '%advisory_xact_lock%'`,
      );
      return rows.length > 0;
    } finally {
      await client.end();
    }
  }

  test('serves again once the database is reachable, migrating on a new connection', async () => {
    const { database, holder, proxy } = await waitingForTheLock({ connectMs: 300, migrationProbeMs: 500 });
    proxy.darkenOpen(); // the path under the open connection dies; new connections go through
    await holder.query('COMMIT'); // the other replica has finished
    const started = Date.now();
    let served = false;
    while (!served && Date.now() - started < 10_000) {
      served = await database.ready().then(
        () => true,
        (error) => {
          expect(error).toMatchObject({ code: 'unavailable' });
          return false;
        },
      );
    }
    expect(served).toBe(true);
    // Within the probe's bound, and a few tries: before, it answered 503 for ever.
    expect(Date.now() - started).toBeLessThan(3000);
    expect(await database.transaction((tx) => tx.rows('SELECT count(*)::int AS n FROM messages'))).toEqual([{ n: 0 }]);
  }, 20_000);

  test('close() returns at once, without waiting for a migration on a dark connection', async () => {
    const { database, proxy } = await waitingForTheLock({ migrationProbeMs: 60_000 });
    proxy.darkenOpen();
    const started = Date.now();
    database.close(); // as the store's close() does, before it ends the pool
    await database.settled();
    expect(Date.now() - started).toBeLessThan(1000);
  }, 20_000);

  test('a long statement is watched: it ends when its connection goes dark, not when it merely runs long', async () => {
    const url = await server.createDatabase();
    const proxy = await darkenableProxy(new URL(url));
    cleanups.push(() => proxy.close());
    const pool = createPool({ url: proxy.url, max: 2, applicationName: 'fleet-bus' });
    pool.on('error', () => undefined);
    cleanups.push(() => pool.end());
    const client = await pool.connect();
    client.on('error', () => undefined);
    cleanups.push(() => client.release(true));
    const sleep = { text: 'SELECT pg_sleep(0.8)', query_timeout: 60_000 } as pg.QueryConfig;
    // Probed every 200 ms while it sleeps: 'active', so it runs to its end.
    await expect(watchedQuery(pool, client, sleep, 200)).resolves.toMatchObject({ rowCount: 1 });
    const started = Date.now();
    const dark = watchedQuery(pool, client, sleep, 200);
    proxy.darkenOpen(); // the reply never comes; new connections (the probes') go through
    await expect(dark).rejects.toThrow(/Connection terminated/);
    // Its end (0.8 s), then idle for a probe's interval, and the probe after that.
    expect(Date.now() - started).toBeLessThan(3000);
  }, 20_000);
});
