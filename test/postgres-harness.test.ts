import { existsSync, readFileSync, statSync } from 'node:fs';
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

/** Whether process `pid` runs (not a zombie), from /proc. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat[stat.lastIndexOf(')') + 2] !== 'Z';
  } catch {
    return false;
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

  test('kill() resolves once every backend is gone, a busy one too, so the restart finds no shared memory in use', async () => {
    const url = await server.createDatabase();
    const busy = new pg.Client({ connectionString: url });
    busy.on('error', () => {});
    await busy.connect();
    const [{ pid }] = (await busy.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows as [{ pid: number }];
    // PostgreSQL gives each backend a session of its own, and one busy in a query notices the
    // postmaster's death only when the query ends: this one would run for minutes.
    const running = busy.query('SELECT count(*) FROM generate_series(1, 10000000000)').catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await server.kill();
    expect(alive(pid)).toBe(false);
    await server.start();
    expect(await query(url, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
    await running;
    await busy.end().catch(() => {});
  });

  test('the data directory is under the temp dir that is removed at exit', () => {
    expect(existsSync(server.dataDir)).toBe(true);
    expect(server.dataDir).toMatch(/fleet-pg-\d+-/);
  });
});
