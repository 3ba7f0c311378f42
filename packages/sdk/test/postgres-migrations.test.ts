import { hasPostgres, startPostgres, type TestPostgres } from '@fleet/test-utils/postgres';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { PgDatabase } from '../src/bus/postgres/database.ts';
import { MIGRATION_LOCK, PG_SCHEMA_VERSION } from '../src/bus/postgres/schema.ts';
import type { PgTimeouts } from '../src/internal/pg-driver.ts';

// How a schema migration behaves when it takes long: a large database's migration outlasts the
// pool's statement timeouts, requests answer `unavailable` meanwhile instead of hanging, and DDL
// that cannot get its table lock gives up instead of queueing everything behind it.

const EVERY_VERSION = Array.from({ length: PG_SCHEMA_VERSION }, (_, i) => ({ version: i + 1 }));

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return client;
}

async function query<Row extends pg.QueryResultRow>(url: string, sql: string): Promise<Row[]> {
  const client = await connect(url);
  try {
    return (await client.query<Row>(sql)).rows;
  } finally {
    await client.end();
  }
}

describe.skipIf(!hasPostgres())('PostgreSQL schema migrations that take long', () => {
  let server: TestPostgres;
  let databases: PgDatabase[] = [];

  function open(url: string, timeouts: Partial<PgTimeouts>): PgDatabase {
    const database = new PgDatabase({ url, max: 2, now: () => Date.now(), timeouts });
    databases.push(database);
    return database;
  }

  /** A database of the current schema, set back to version 4 as an older SDK left it, with `agents` rows. */
  async function versionFourWithAgents(agents: number): Promise<string> {
    const url = await server.createDatabase();
    const current = open(url, {});
    await current.migrated();
    await query(
      url,
      `DROP INDEX agents_last_seen; ALTER TABLE agents DROP COLUMN last_seen;
       DELETE FROM schema_migrations WHERE version = 5;
       INSERT INTO agents (name) SELECT 'agent-' || i FROM generate_series(1, ${agents}) AS i;`,
    );
    return url;
  }

  beforeAll(async () => {
    server = await startPostgres();
  });
  afterEach(async () => {
    for (const database of databases) {
      database.close();
      await database.settled();
      await database.end();
    }
    databases = [];
  });
  afterAll(() => server?.stop());

  test("a migration whose work takes longer than the pool's statement and query timeouts completes", async () => {
    // Version 5 indexes agents.last_seen: over a million rows, far more than 50 ms of work.
    const url = await versionFourWithAgents(1_000_000);
    const database = open(url, { statementMs: 50, queryMs: 80 });
    await database.migrated();
    expect(await query(url, 'SELECT version FROM schema_migrations ORDER BY version')).toEqual(EVERY_VERSION);
    expect(await query(url, `SELECT count(*)::int AS n FROM agents WHERE last_seen IS NOT NULL`)).toEqual([
      { n: 1_000_000 },
    ]);
  });

  test('while a migration is under way, an operation waits for it as long as for a connection, then answers unavailable', async () => {
    const url = await server.createDatabase();
    const holder = await connect(url);
    try {
      // Another replica migrating: this one's migration waits for the advisory lock.
      await holder.query('BEGIN');
      await holder.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      const database = open(url, { connectMs: 300 });
      const started = Date.now();
      await expect(database.ready()).rejects.toMatchObject({
        code: 'unavailable',
        message: expect.stringMatching(/migrating its database schema/),
      });
      expect(Date.now() - started).toBeLessThan(5000);
      await holder.query('COMMIT');
      // The migration went on meanwhile, and finishes once the lock is free.
      await database.migrated();
      await expect(database.ready()).resolves.toBeDefined();
      expect(await query(url, 'SELECT version FROM schema_migrations ORDER BY version')).toEqual(EVERY_VERSION);
    } finally {
      await holder.end();
    }
  }, 10_000);

  test('a migration that cannot lock a table in time fails as unavailable, and succeeds once the table is free', async () => {
    const url = await versionFourWithAgents(10);
    const holder = await connect(url);
    try {
      // A long transaction reading agents: version 5's ALTER TABLE cannot get its lock.
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE agents IN ACCESS SHARE MODE');
      const database = open(url, { migrationLockMs: 200 });
      await expect(database.migrated()).rejects.toMatchObject({ code: 'unavailable' });
      // Nothing queues behind a migration that gave up: the table answers at once.
      expect(await query(url, 'SELECT count(*)::int AS n FROM agents')).toEqual([{ n: 10 }]);
      await holder.query('COMMIT');
      await database.migrated();
      expect(await query(url, 'SELECT version FROM schema_migrations ORDER BY version')).toEqual(EVERY_VERSION);
    } finally {
      await holder.end();
    }
  }, 10_000);
});
