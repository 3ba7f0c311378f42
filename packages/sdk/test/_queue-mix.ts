import { createRequire } from 'node:module';
import { randomTools } from '@fleet/test-utils/mulberry32';
import type Database from 'better-sqlite3';
import { expect } from 'vitest';
import type { MessageStore } from '../src/bus/message-store.ts';
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
 * delay or a backoff), extends, redrives, purges and sweeps. `advance` moves the stores' clock.
 *
 * Each operation is drawn once and made on every store in `stores`, in the same order: stores
 * that behave alike (the memory and SQLite backends) end in the same state, which a test can
 * compare. Receipts and message ids differ between stores, so each store keeps its own receipts (by
 * the same positions) and dead letters are picked by recipient and payload (unique per send).
 */
export function queueMix(stores: MessageStore[], random: () => number, advance: (ms: number) => void) {
  const { int, pick, chance } = randomTools(random);
  const receipts = stores.map((): string[] => []);
  let sent = 0;
  /** The same receipt position in every store's list, removed (or a receipt that matches nothing). */
  const takeReceipts = () => {
    const length = receipts[0]!.length;
    if (length === 0) return stores.map(() => 'none~none');
    const index = int(length);
    return receipts.map((list) => list.splice(index, 1)[0] ?? 'none~none');
  };
  const peekReceipts = () => {
    const length = receipts[0]!.length;
    const index = length === 0 ? 0 : int(length);
    return receipts.map((list) => list[index] ?? 'none~none');
  };
  const sendInit = (): SendInputInit => {
    sent += 1;
    const init: SendInputInit = {
      from: pick(MIX_AGENTS),
      payload: sent,
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
  /** Every store's dead letters by `recipient:payload`, to pick the same ones in each. */
  const deadByKey = async () =>
    Promise.all(
      stores.map(async (store) => {
        const page = await store.deadLetters({ limit: 500 });
        return new Map(page.items.map((item) => [`${item.message.to}:${item.message.payload}`, item.message.id]));
      }),
    );
  const all = (run: (store: MessageStore, index: number) => Promise<unknown>) =>
    Promise.all(stores.map((store, index) => run(store, index)));
  const operations: Array<[weight: number, run: () => Promise<unknown>]> = [
    [
      10,
      () => {
        const input = SendInput.parse(sendInit());
        return all((store) => store.send(input));
      },
    ],
    [
      3,
      () => {
        const inputs = Array.from({ length: int(4) + 1 }, () => SendInput.parse(sendInit()));
        return all((store) => store.sendBatch(inputs));
      },
    ],
    [
      2,
      () => {
        const [agent, topic] = [pick(MIX_AGENTS), pick(TOPICS)];
        return all((store) => store.subscribe(agent, topic));
      },
    ],
    [
      1,
      () => {
        const [agent, topic] = [pick(MIX_AGENTS), pick(TOPICS)];
        return all((store) => store.unsubscribe(agent, topic));
      },
    ],
    [
      8,
      () => {
        const request = { agent: pick(MIX_AGENTS), limit: int(3) + 1, leaseSeconds: int(20) + 1 };
        return all(async (store, index) => {
          const leased = await store.lease(request);
          receipts[index]!.push(...leased.map((delivery) => delivery.receipt));
        });
      },
    ],
    [
      3,
      () => {
        const [agent, limit] = [pick(MIX_AGENTS), int(3) + 1];
        return all((store) => store.poll(agent, limit));
      },
    ],
    [
      5,
      () => {
        const taken = takeReceipts();
        return all((store, index) => store.ack([taken[index]!]));
      },
    ],
    [
      4,
      () => {
        const taken = takeReceipts();
        const rest = chance(0.5) ? { delaySeconds: int(30) } : { reason: 'failed' };
        return all((store, index) => store.nack({ receipt: taken[index]!, ...rest }));
      },
    ],
    [
      2,
      () => {
        const [held, leaseSeconds] = [peekReceipts(), int(30) + 1];
        return all((store, index) => store.extendLease({ receipt: held[index]!, leaseSeconds }));
      },
    ],
    [
      2,
      async () => {
        const dead = await deadByKey();
        const keys = [...dead[0]!.keys()].sort().filter(() => chance(0.5));
        if (keys.length === 0) return;
        const redrive = chance(0.6);
        await all((store, index) => {
          const ids = keys.map((key) => dead[index]!.get(key) ?? 'missing');
          return redrive ? store.redrive({ ids }) : store.purge({ ids });
        });
      },
    ],
    [
      1,
      () => {
        const [redrive, agent] = [chance(0.5), pick(MIX_AGENTS)];
        return all((store) => (redrive ? store.redrive({ agent }) : store.purge({ agent })));
      },
    ],
    [4, () => all((store) => store.sweep())],
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
