import { existsSync, statSync } from 'node:fs';
import { hasPostgres, startPostgres, type TestPostgres } from '@fleet/test-utils/postgres';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

/** Runs one query on a fresh connection and closes it. */
async function query<Row extends pg.QueryResultRow>(url: string, sql: string, values: unknown[] = []): Promise<Row[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<Row>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

/** The error a connection attempt fails with, or undefined when it connects. */
async function connectError(url: string): Promise<NodeJS.ErrnoException | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    await client.end();
    return undefined;
  } catch (error) {
    return error as NodeJS.ErrnoException;
  }
}

describe.skipIf(!hasPostgres())('the throwaway PostgreSQL cluster', () => {
  let server: TestPostgres;

  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(() => server?.stop());

  test('accepts connections on its URL as the postgres superuser, without fsync', async () => {
    const [row] = await query<{ user: string; fsync: string; superuser: boolean }>(
      server.url,
      `SELECT current_user AS user, current_setting('fsync') AS fsync, usesuper AS superuser
         FROM pg_user WHERE usename = current_user`,
    );
    expect(row).toEqual({ user: 'postgres', fsync: 'off', superuser: true });
    expect(await server.psql('SELECT 40 + 2')).toBe('42');
  });

  test('runs as the postgres user when the tests run as root', async () => {
    const owner = statSync(server.dataDir).uid;
    if (process.getuid?.() === 0) expect(owner).not.toBe(0);
    else expect(owner).toBe(process.getuid?.());
  });

  test('each created database is separate and empty', async () => {
    const first = await server.createDatabase();
    const second = await server.createDatabase();
    await query(first, 'CREATE TABLE t (x int)');
    const tables = `SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 't'`;
    expect(await query(first, tables)).toEqual([{ n: 1 }]);
    expect(await query(second, tables)).toEqual([{ n: 0 }]);
  });

  test('a stopped server refuses connections and a restart keeps committed data', async () => {
    const url = await server.createDatabase();
    await query(url, 'CREATE TABLE kept (x int)');
    await query(url, 'INSERT INTO kept VALUES ($1)', [7]);
    await server.stop();
    expect(server.running).toBe(false);
    expect((await connectError(url))?.code).toBe('ECONNREFUSED');
    await server.start();
    expect(await query(url, 'SELECT x FROM kept')).toEqual([{ x: 7 }]);
  });

  test('after a SIGKILL of the server and its backends the restart recovers every committed row', async () => {
    const url = await server.createDatabase();
    await query(url, 'CREATE TABLE crash (x int)');
    const open = new pg.Client({ connectionString: url });
    open.on('error', () => {}); // the backend dies with the server
    await open.connect();
    await open.query('INSERT INTO crash SELECT generate_series(1, 1000)');
    await server.kill();
    expect((await connectError(url))?.code).toBe('ECONNREFUSED');
    await server.start();
    expect(await query(url, 'SELECT count(*)::int AS n FROM crash')).toEqual([{ n: 1000 }]);
    await open.end().catch(() => {});
  });

  test('the data directory is under the temp dir that is removed at exit', () => {
    expect(existsSync(server.dataDir)).toBe(true);
    expect(server.dataDir).toMatch(/fleet-pg-\d+-/);
  });
});
