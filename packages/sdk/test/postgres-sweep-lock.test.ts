import { darkenableProxy } from '@fleet/test-utils/dark-proxy';
import { hasPostgres, startPostgres, type TestPostgres } from '@fleet/test-utils/postgres';
import type pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { sweepAlone } from '../src/bus/postgres/sweep-lock.ts';
import { createPool } from '../src/internal/pg-driver.ts';

// One replica sweeps at a time; a replica cut off from the database while it sweeps (no FIN or RST
// reaches either side, as when a NAT forgets its connections) must not stop the others sweeping
// for longer than the lock's bound.

/** A sweep that runs until `finish()`; `started` resolves once it runs (its replica holds the lock). */
function longSweep() {
  let started = () => {};
  let finish = () => {};
  const running = new Promise<void>((resolve) => {
    started = resolve;
  });
  const sweep = () => {
    started();
    return new Promise<void>((resolve) => {
      finish = resolve;
    });
  };
  return { sweep, running, finish: () => finish() };
}

describe.skipIf(!hasPostgres())('the PostgreSQL sweep lock', () => {
  let server: TestPostgres;
  const cleanups: (() => Promise<void> | void)[] = [];

  beforeAll(async () => {
    server = await startPostgres();
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  afterAll(() => server?.stop());

  function pool(url: string): pg.Pool {
    const created = createPool({ url, max: 2, applicationName: 'fleet-bus' });
    created.on('error', () => undefined);
    cleanups.push(() => created.end());
    return created;
  }

  test('one replica sweeps at a time, however long past the bound its sweep takes', async () => {
    const url = await server.createDatabase();
    const [a, b] = [pool(url), pool(url)];
    const long = longSweep();
    const first = sweepAlone(a, long.sweep, 600);
    await long.running;
    // The holder keeps touching its lock: the server does not end it after 600 ms.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await sweepAlone(b, async () => undefined)).toBe(false);
    long.finish();
    expect(await first).toBe(true);
    expect(await sweepAlone(b, async () => undefined)).toBe(true);
    // Both gave the lock back (COMMIT), and kept no transaction open.
    const locks = await a.query(
      `SELECT l.pid, a.state FROM pg_locks l JOIN pg_stat_activity a USING (pid)
        WHERE l.locktype = 'advisory' OR a.state LIKE 'idle in transaction%'`,
    );
    expect(locks.rows).toEqual([]);
  });

  test('a replica of the previous version holding the lock for its session keeps others from sweeping', async () => {
    const url = await server.createDatabase();
    const old = pool(url);
    const client = await old.connect();
    const key = `hashtextextended('fleet_bus.sweep.' || current_schema(), 0)`;
    await client.query(`SELECT pg_advisory_lock(${key})`);
    expect(await sweepAlone(pool(url), async () => undefined)).toBe(false);
    await client.query(`SELECT pg_advisory_unlock(${key})`);
    client.release();
  });

  test('a replica cut off while it sweeps holds the lock no longer than its bound', async () => {
    const url = await server.createDatabase();
    const proxy = await darkenableProxy(new URL(url));
    const [a, b] = [pool(proxy.url), pool(url)];
    const long = longSweep();
    // A's sweep goes on (on connections of its own) long after it is cut off.
    const aSweep = sweepAlone(a, long.sweep, 1000).catch(() => undefined);
    cleanups.push(async () => {
      proxy.close();
      long.finish();
      await aSweep;
    });
    await long.running;
    expect(await sweepAlone(b, async () => undefined)).toBe(false);
    proxy.partition();
    const cutOff = Date.now();
    let swept = false;
    while (!swept && Date.now() - cutOff < 6000) {
      swept = await sweepAlone(b, async () => undefined);
      if (!swept) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(swept).toBe(true);
    // The bound (1 s here), the server's timer and a sweep interval: before, held until TCP keepalive.
    expect(Date.now() - cutOff).toBeLessThan(3000);
  }, 20_000);
});
