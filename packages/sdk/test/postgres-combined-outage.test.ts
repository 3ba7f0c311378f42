import { darkenableProxy } from '@fleet/test-utils/dark-proxy';
import { hasPostgres } from '@fleet/test-utils/postgres';
import pg from 'pg';
import { afterEach, describe, expect, test } from 'vitest';
import { resolveStoreOptions } from '../src/bus/internal/options.ts';
import { PgCombinedWrites } from '../src/bus/postgres/combined-writes.ts';
import { PgTransitions } from '../src/bus/postgres/transitions.ts';
import type { PgWakeups } from '../src/bus/postgres/wakeups.ts';
import { PostgresMessageStore } from '../src/bus/postgres-store.ts';
import { isFleetError } from '../src/errors.ts';
import { SendInput } from '../src/schemas/message.ts';
import { freshPostgresUrl } from './_stores.ts';

// The network to PostgreSQL goes dark (connections fall silent, no FIN or RST) while many
// requests wait for the combined statement (postgres/combined-writes.ts): each must answer
// `unavailable` within the documented bounds, however many are queued, not one batch after another.

const cleanups: Array<() => unknown> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Shortened bounds, so that the outage is over in seconds. */
const TIMEOUTS = { connectMs: 1000, statementMs: 1500, queryMs: 2000 };

/** Wakeups that notify nobody: this test needs no other replica. */
const quietWakeups = {
  notificationFor: () => undefined,
  notifiedWith: () => undefined,
  stored: () => undefined,
} satisfies Partial<PgWakeups> as unknown as PgWakeups;

/** Combined writes through a proxy that can go dark, with {@link TIMEOUTS}, on a migrated schema. */
async function combinedWritesBehindProxy() {
  const url = await freshPostgresUrl();
  await (await PostgresMessageStore.open({ url })).close();
  const proxy = await darkenableProxy(new URL(url));
  cleanups.push(() => proxy.close());
  const writes = new PgCombinedWrites({
    url: proxy.url,
    ready: async () => undefined,
    transitions: new PgTransitions(resolveStoreOptions()),
    wakeups: quietWakeups,
    idempotencyWindowSeconds: 60,
    timeouts: TIMEOUTS,
  });
  cleanups.push(() => writes.close());
  return { writes, proxy };
}

const send = (writes: PgCombinedWrites, i: number) =>
  writes.send([SendInput.parse({ from: 'a', to: `c${i}`, payload: i })], Date.now());

/** Runs `count` concurrent sends and leases; each one's error code (or 'ok') and milliseconds. */
async function requests(writes: PgCombinedWrites, count: number) {
  const started = performance.now();
  return Promise.all(
    Array.from({ length: count }, (_, i) => {
      const request =
        i % 4 === 0
          ? writes.lease({ agent: `b${i % 7}`, limit: 1, leaseSeconds: 10 + (i % 13) }, Date.now())
          : send(writes, i);
      return request.then(
        () => ({ code: 'ok', ms: performance.now() - started }),
        (error: unknown) => ({
          code: isFleetError(error) ? error.code : String(error),
          ms: performance.now() - started,
        }),
      );
    }),
  );
}

describe.skipIf(!hasPostgres())('PgCombinedWrites: the network to PostgreSQL goes dark', () => {
  test('1200 queued sends and leases all answer unavailable within one connect and one statement bound', async () => {
    const { writes, proxy } = await combinedWritesBehindProxy();
    // Both connections open and idle: the first two statements after the outage wait for replies.
    const warm = await requests(writes, 200);
    expect(warm.every((r) => r.code === 'ok')).toBe(true);

    proxy.darken();
    const answers = await requests(writes, 1200);
    expect(new Set(answers.map((a) => a.code))).toEqual(new Set(['unavailable']));
    const slowest = Math.max(...answers.map((a) => a.ms));
    // Before the fix, each batch behind the first two took its own connect timeout (about 11 s here).
    expect(slowest).toBeLessThan(TIMEOUTS.connectMs + TIMEOUTS.queryMs + 1500);
  });

  test('a request after the outage answered still tries the database (no breaker stays open)', async () => {
    const { writes, proxy } = await combinedWritesBehindProxy();
    proxy.darken();
    await requests(writes, 300);
    const started = performance.now();
    await expect(send(writes, 0)).rejects.toMatchObject({ code: 'unavailable' });
    // It waited for its own connection attempt, not for a verdict kept from before.
    expect(performance.now() - started).toBeGreaterThanOrEqual(TIMEOUTS.connectMs - 50);
  });
});

describe.skipIf(!hasPostgres())('PgCombinedWrites: a slow statement on a healthy database', () => {
  test('a request behind a statement waiting on a row lock takes the free connection rather than fail', async () => {
    const { writes, proxy } = await combinedWritesBehindProxy();
    await send(writes, 0);
    const [delivery] = (await writes.lease({ agent: 'c0', limit: 1, leaseSeconds: 60 }, Date.now())) ?? [];
    if (!delivery) throw new Error('no delivery');
    // Another session holds the message's row (a long transaction, an operator's query) for longer
    // than a request may wait in line: the ack's statement waits for it.
    const locker = new pg.Client({ connectionString: new URL(proxy.url).href });
    await locker.connect();
    cleanups.push(() => locker.end());
    await locker.query('BEGIN');
    await locker.query('SELECT 1 FROM messages WHERE id = $1 FOR UPDATE', [delivery.message.id]);
    const ack = writes.ack([delivery.receipt], Date.now());
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = performance.now();
    const other = send(writes, 1).then(
      () => 'ok',
      (error: unknown) => (isFleetError(error) ? error.code : String(error)),
    );
    const settled = await Promise.race([
      other,
      new Promise((resolve) => setTimeout(() => resolve('still waiting'), TIMEOUTS.connectMs * 2)),
    ]);
    // Before: `unavailable` after connectMs, with the second connection idle all along.
    expect(settled).toBe('ok');
    expect(performance.now() - started).toBeLessThan(TIMEOUTS.connectMs * 2);
    await locker.query('COMMIT');
    await ack;
  });
});
