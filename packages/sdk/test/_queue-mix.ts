import { createRequire } from 'node:module';
import { randomTools } from '@fleet/test-utils/mulberry32';
import type Database from 'better-sqlite3';
import { expect } from 'vitest';
import { readQueueCounts, recountQueueCounts, scanQueueStats } from '../src/bus/sqlite/recount.ts';
import type { SqliteMessageStore } from '../src/bus/sqlite-store.ts';
import { SendInput, type SendInputInit } from '../src/schemas/message.ts';

const Driver = createRequire(import.meta.url)('better-sqlite3') as typeof Database;

/** A read-only second connection to a store's file: it sees what has been committed. */
export function openRaw(path: string): Database.Database {
  return new Driver(path, { readonly: true });
}

/**
 * Checks the store's counters against the messages themselves: `queue_counts` equals a recount
 * of the rows, and `stats()` at `now` equals the scan it replaced.
 */
export async function expectCountersMatchRecount(
  store: SqliteMessageStore,
  db: Database.Database,
  now: number,
  label: string,
): Promise<void> {
  const stats = await store.stats();
  expect(readQueueCounts(db), `${label}: queue_counts`).toEqual(recountQueueCounts(db));
  expect(stats, `${label}: stats()`).toEqual(scanQueueStats(db, now));
}

/** The agents and topics of the mix. */
export const MIX_AGENTS = ['a', 'b', 'c', 'd'] as const;
const TOPICS = ['alerts', 'jobs'] as const;

/**
 * A seeded random mix of every store operation: sends (direct, batch, topic, broadcast, with
 * delays, TTLs, priorities and idempotency keys), subscriptions, leases, polls, acks, nacks (with a
 * delay or a backoff), extends, redrives, purges and sweeps. `advance` moves the store's clock.
 */
export function queueMix(store: SqliteMessageStore, random: () => number, advance: (ms: number) => void) {
  const { int, pick, chance } = randomTools(random);
  const receipts: string[] = [];
  const takeReceipt = () => (receipts.length === 0 ? 'none~none' : receipts.splice(int(receipts.length), 1)[0]!);
  const sendInit = (): SendInputInit => {
    const init: SendInputInit = {
      from: pick(MIX_AGENTS),
      payload: int(1000),
      priority: pick([-1, 0, 0, 2]),
      delaySeconds: chance(0.3) ? int(40) + 1 : 0,
      ttlSeconds: chance(0.3) ? int(60) + 1 : null,
      idempotencyKey: chance(0.1) ? `key-${int(5)}` : null,
    };
    const target = int(10);
    if (target < 7) init.to = pick(MIX_AGENTS);
    else if (target < 9) init.topic = pick(TOPICS);
    else init.to = '*';
    return init;
  };
  const operations: Array<[weight: number, run: () => Promise<unknown>]> = [
    [10, () => store.send(SendInput.parse(sendInit()))],
    [3, () => store.sendBatch(Array.from({ length: int(4) + 1 }, () => SendInput.parse(sendInit())))],
    [2, () => store.subscribe(pick(MIX_AGENTS), pick(TOPICS))],
    [1, () => store.unsubscribe(pick(MIX_AGENTS), pick(TOPICS))],
    [
      8,
      async () => {
        const leased = await store.lease({ agent: pick(MIX_AGENTS), limit: int(3) + 1, leaseSeconds: int(20) + 1 });
        receipts.push(...leased.map((delivery) => delivery.receipt));
      },
    ],
    [3, () => store.poll(pick(MIX_AGENTS), int(3) + 1)],
    [5, () => store.ack([takeReceipt()])],
    [
      4,
      () =>
        store.nack(
          chance(0.5)
            ? { receipt: takeReceipt(), delaySeconds: int(30) }
            : { receipt: takeReceipt(), reason: 'failed' },
        ),
    ],
    [
      2,
      () => store.extendLease({ receipt: pick(receipts.length ? receipts : ['none~none']), leaseSeconds: int(30) + 1 }),
    ],
    [
      2,
      async () => {
        const page = await store.deadLetters({ limit: 5 });
        if (page.items.length === 0) return;
        const ids = page.items.filter(() => chance(0.5)).map((item) => item.message.id);
        if (ids.length === 0) return;
        await (chance(0.6) ? store.redrive({ ids }) : store.purge({ ids }));
      },
    ],
    [1, () => (chance(0.5) ? store.redrive({ agent: pick(MIX_AGENTS) }) : store.purge({ agent: pick(MIX_AGENTS) }))],
    [4, () => store.sweep()],
  ];
  const total = operations.reduce((sum, [weight]) => sum + weight, 0);
  const operation = () => {
    let roll = int(total);
    for (const [weight, run] of operations) {
      if (roll < weight) return run;
      roll -= weight;
    }
    throw new Error('unreachable');
  };
  return {
    /**
     * One step: up to four operations called in the same tick (so they share a group commit, a
     * failing one among them), then perhaps the clock moves on (past delays, leases and TTLs).
     */
    async step(): Promise<void> {
      const calls = Array.from({ length: int(4) + 1 }, () => operation()());
      await Promise.allSettled(calls);
      if (chance(0.3)) advance(int(15_000));
    },
  };
}
