import { darkenableProxy } from '@fleet/test-utils/dark-proxy';
import { hasPostgres } from '@fleet/test-utils/postgres';
import pg from 'pg';
import { afterEach, describe, expect, test } from 'vitest';
import { inTransaction } from '../src/bus/postgres/transaction.ts';
import { freshPostgresUrl } from './_stores.ts';

/** A pool whose connections note every statement they are asked to run, in `asked`. */
function notingPool(url: string, asked: string[]): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max: 1, query_timeout: 300 });
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    client.query = ((config: string | pg.QueryConfig, ...rest: unknown[]) => {
      asked.push(typeof config === 'string' ? config : config.text);
      return query(config, ...rest);
    }) as typeof client.query;
  });
  return pool;
}

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe.skipIf(!hasPostgres())('inTransaction', () => {
  test('a statement that ran past query_timeout gets no ROLLBACK queued behind it: the connection is dropped', async () => {
    const proxy = await darkenableProxy(new URL(await freshPostgresUrl()));
    cleanups.push(proxy.close);
    const asked: string[] = [];
    const pool = notingPool(proxy.url, asked);
    cleanups.push(() => pool.end().catch(() => undefined));
    await inTransaction(pool, (tx) => tx.run('SELECT 1'));
    asked.length = 0;

    proxy.darken();
    // Before, the ROLLBACK waited behind the dead statement for a timeout of its own: twice as long.
    await expect(inTransaction(pool, (tx) => tx.run('SELECT 2'))).rejects.toThrow(/Query read timeout/);
    expect(asked).toEqual(['BEGIN']);
    expect(pool.totalCount).toBe(0);
  });

  test('a statement past statement_timeout (the connection still works) is rolled back and its connection kept', async () => {
    const asked: string[] = [];
    const pool = notingPool(await freshPostgresUrl(), asked);
    cleanups.push(() => pool.end());
    const slow = inTransaction(pool, async (tx) => {
      await tx.run('SET LOCAL statement_timeout = 50');
      await tx.run('SELECT pg_sleep(5)');
    });
    await expect(slow).rejects.toMatchObject({ code: '57014' });
    expect(asked.at(-1)).toBe('ROLLBACK');
    expect(pool.idleCount).toBe(1);
  });

  test('a statement that failed in the database is rolled back and its connection kept', async () => {
    const asked: string[] = [];
    const pool = notingPool(await freshPostgresUrl(), asked);
    cleanups.push(() => pool.end());
    await expect(inTransaction(pool, (tx) => tx.run('SELECT * FROM nowhere'))).rejects.toMatchObject({
      code: '42P01',
    });
    expect(asked).toEqual(['BEGIN', 'SELECT * FROM nowhere', 'ROLLBACK']);
    expect(pool.idleCount).toBe(1);
  });
});
