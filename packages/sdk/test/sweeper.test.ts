import { format } from 'node:util';
import { hasPostgres, startPostgres, type TestPostgres } from '@fleet/test-utils/postgres';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { PostgresMessageStore } from '../src/bus/postgres-store.ts';
import { SqliteMessageStore } from '../src/bus/sqlite-store.ts';
import { startSweeper } from '../src/bus/sweeper.ts';
import { SendInput } from '../src/schemas/message.ts';
import { freshDatabasePath } from './_stores.ts';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** A logger that keeps every line it is given, formatted as console would. */
function lines() {
  const all: string[] = [];
  const log = (...args: unknown[]) => all.push(format(...args));
  return { all, logger: { info: log, error: log } };
}

test('a sweep returns an expired lease to the queue without anyone asking', async () => {
  let now = Date.UTC(2026, 0, 1);
  const store = new SqliteMessageStore({ path: freshDatabasePath(), now: () => now });
  closers.push(() => store.close());
  await store.send(SendInput.parse({ from: 'a', to: 'b', payload: 1 }));
  const [leased] = await store.lease({ agent: 'b', limit: 1, leaseSeconds: 30 });
  now += 31_000;
  expect((await store.stats()).totals).toMatchObject({ inFlight: 1, ready: 0 });

  const sweeper = startSweeper(store, { intervalMs: 10 });
  closers.push(() => sweeper.stop());
  await expect.poll(async () => (await store.stats()).totals.ready, { timeout: 5000 }).toBe(1);
  expect(leased).toBeDefined();
});

test('stop() waits for the sweep under way, then no sweep starts', async () => {
  const store = new SqliteMessageStore({ path: freshDatabasePath() });
  closers.push(() => store.close());
  let sweeps = 0;
  let finished = 0;
  const counting = {
    sweep: async () => {
      sweeps += 1;
      await store.sweep();
      await new Promise((resolve) => setTimeout(resolve, 50));
      finished += 1;
    },
  };
  const sweeper = startSweeper(counting, { intervalMs: 5 });
  await expect.poll(() => sweeps, { timeout: 5000 }).toBeGreaterThan(0);
  await sweeper.stop();
  expect(finished).toBe(sweeps);
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(sweeps).toBe(finished);
});

describe.skipIf(!hasPostgres())('on PostgreSQL that goes away and comes back', () => {
  let server: TestPostgres;
  afterAll(async () => server?.stop());

  test('the failure is logged once in one line with its cause, and the recovery once', async () => {
    server = await startPostgres();
    const url = await server.createDatabase('sweeps');
    const store = new PostgresMessageStore({ url });
    closers.push(() => store.close());
    await store.sweep();
    const { all, logger } = lines();
    const sweeper = startSweeper(store, { intervalMs: 20, logger });
    closers.push(() => sweeper.stop());

    await server.stop();
    await expect.poll(() => all.length, { timeout: 20_000 }).toBeGreaterThan(0);
    expect(all[0]).toMatch(/^sweep failed \(logged once until it works again\): .*\(.+\)$/);
    expect(all[0]).not.toContain('\n');
    // Many more sweeps fail (every 20 ms) without another line.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(all).toHaveLength(1);

    await server.start();
    await expect.poll(() => all.length, { timeout: 30_000 }).toBe(2);
    expect(all[1]).toBe('sweep works again');
  }, 60_000);
});
