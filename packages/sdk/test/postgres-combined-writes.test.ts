import { hasPostgres } from '@fleet/test-utils/postgres';
import pg from 'pg';
import { afterEach, describe, expect, test } from 'vitest';
import { readPgQueueCounts, recountPgQueueCounts } from '../src/bus/postgres/recount.ts';
import { PostgresMessageStore } from '../src/bus/postgres-store.ts';
import { isFleetError } from '../src/errors.ts';
import type { Delivery } from '../src/schemas/lease.ts';
import { SendInput, type SendInputInit } from '../src/schemas/message.ts';
import { freshPostgresUrl } from './_stores.ts';

// Concurrent sends, leases and acks of a replica share one statement (postgres/combined-writes.ts).
// The behaviour suite (message-store.test.ts) runs them one at a time; this file runs them
// together, from two stores on one database, and checks what sharing must never change.

const opened: Array<{ close(): unknown }> = [];
const pools: pg.Pool[] = [];

afterEach(async () => {
  for (const handle of opened.splice(0).reverse()) await handle.close();
  for (const pool of pools.splice(0)) await pool.end();
});

async function twoStores(): Promise<{ stores: PostgresMessageStore[]; db: pg.Pool }> {
  const url = await freshPostgresUrl();
  const stores = [await PostgresMessageStore.open({ url }), await PostgresMessageStore.open({ url })];
  opened.push(...stores);
  const db = new pg.Pool({ connectionString: url, max: 2 });
  pools.push(db);
  return { stores, db };
}

const input = (init: SendInputInit) => SendInput.parse(init);

/** How many transactions wrote the audit events of `event` (each row records its writer's). */
async function writersOf(db: pg.Pool, event: string): Promise<{ events: number; transactions: number }> {
  const { rows } = await db.query<{ events: number; transactions: number }>(
    'SELECT count(*)::int AS events, count(DISTINCT txid)::int AS transactions FROM audit WHERE event = $1',
    [event],
  );
  return rows[0]!;
}

describe.skipIf(!hasPostgres())('PostgresMessageStore: concurrent requests in shared statements', () => {
  test('concurrent sends, leases and acks from two replicas share statements, and every message is delivered once', async () => {
    const { stores, db } = await twoStores();
    const agents = ['a', 'b', 'c'];
    const sends = Array.from({ length: 120 }, (_, i) =>
      stores[i % 2]!.send(input({ from: 'planner', to: agents[i % 3]!, payload: { i }, priority: i % 4 })),
    );
    await Promise.all(sends);

    // 90 lease requests at once (limit 2, two lease lengths) through both stores; then again for what is left.
    const delivered: Delivery[] = [];
    for (let round = 0; round < 5 && delivered.length < 120; round++) {
      const batches = await Promise.all(
        Array.from({ length: 90 }, (_, i) =>
          stores[i % 2]!.lease({ agent: agents[i % 3]!, limit: 2, leaseSeconds: i % 5 === 0 ? 60 : 30 }),
        ),
      );
      delivered.push(...batches.flat());
    }
    const ids = delivered.map((d) => d.message.id);
    expect(ids).toHaveLength(120);
    expect(new Set(ids).size).toBe(120);
    for (const d of delivered) expect(d.message.attempts).toBe(1);

    // Every ack at once, half through each store.
    const acked = await Promise.all(delivered.map((d, i) => stores[i % 2]!.ack([d.receipt])));
    expect(acked.every((n) => n === 1)).toBe(true);
    expect(await stores[0]!.stats()).toMatchObject({ totals: { ready: 0, inFlight: 0 } });
    expect(await readPgQueueCounts(db)).toEqual(await recountPgQueueCounts(db));

    // They did share: fewer transactions than requests for each kind.
    const sent = await writersOf(db, 'sent');
    const leased = await writersOf(db, 'delivered');
    const ackedEvents = await writersOf(db, 'acked');
    expect(sent.events).toBe(120);
    expect(sent.transactions).toBeLessThan(120);
    expect(leased.transactions).toBeLessThan(90);
    expect(ackedEvents.transactions).toBeLessThan(120);
  });

  test('requests for one agent in one statement get its messages in delivery order, each once', async () => {
    const { stores } = await twoStores();
    const [store] = stores;
    for (let i = 0; i < 30; i++)
      await store!.send(input({ from: 'p', to: 'w', payload: { i }, priority: i < 10 ? 1 : 0 }));
    const leases = await Promise.all(
      Array.from({ length: 10 }, () => store!.lease({ agent: 'w', limit: 3, leaseSeconds: 30 })),
    );
    // In the order the requests came: priority 1 first, then FIFO.
    expect(leases.flat().map((d) => (d.message.payload as { i: number }).i)).toEqual(
      Array.from({ length: 30 }, (_, i) => i),
    );
    for (const batch of leases) expect(batch).toHaveLength(3);
  });

  test('an ack with one bad receipt fails alone, with the precise error, and deletes none of its messages', async () => {
    const { stores, db } = await twoStores();
    const [store] = stores;
    for (let i = 0; i < 7; i++) await store!.send(input({ from: 'p', to: 'w', payload: { i } }));
    const deliveries = await store!.lease({ agent: 'w', limit: 7, leaseSeconds: 30 });
    const receipts = deliveries.map((d) => d.receipt);
    const [id, token] = receipts[3]!.split('~');
    const outcomes = await Promise.allSettled([
      store!.ack([receipts[0]!]),
      store!.ack([receipts[1]!, receipts[2]!]),
      // A valid receipt and a wrong token: neither may be acked.
      store!.ack([receipts[4]!, `${id}~${token!.replace(/.$/, (c) => (c === 'a' ? 'b' : 'a'))}`]),
      // One receipt in two acks at once: one ack wins; the other acks nothing, not even its other receipt.
      store!.ack([receipts[5]!]),
      store!.ack([receipts[5]!, receipts[6]!]),
    ]);
    expect(outcomes.slice(0, 2)).toEqual([
      { status: 'fulfilled', value: 1 },
      { status: 'fulfilled', value: 2 },
    ]);
    const bad = outcomes[2]!;
    expect(bad.status).toBe('rejected');
    expect(isFleetError((bad as PromiseRejectedResult).reason)).toBe(true);
    expect((bad as PromiseRejectedResult).reason.details).toMatchObject({ field: 'receipts.1' });
    const [single, pair] = outcomes.slice(3);
    expect([single!.status, pair!.status].sort()).toEqual(['fulfilled', 'rejected']);

    // Messages 3 and 4 are still in flight, and 6 unless the pair won.
    const { rows } = await db.query<{ payload: { i: number } }>(
      "SELECT payload FROM messages WHERE state = 'in_flight' ORDER BY seq",
    );
    expect(rows.map((r) => r.payload.i)).toEqual(pair!.status === 'fulfilled' ? [3, 4] : [3, 4, 6]);
    expect(await store!.ack([receipts[4]!, receipts[3]!])).toBe(2);
    expect(await readPgQueueCounts(db)).toEqual(await recountPgQueueCounts(db));
  });

  test('an agent with housekeeping due is leased the long way: its expired lease comes back first, in place', async () => {
    let now = Date.UTC(2026, 0, 1);
    const url = await freshPostgresUrl();
    const store = await PostgresMessageStore.open({ url, now: () => now });
    opened.push(store);
    for (let i = 0; i < 4; i++) await store.send(input({ from: 'p', to: 'w', payload: { i } }));
    const [first] = await store.lease({ agent: 'w', limit: 1, leaseSeconds: 10 });
    now += 11_000;
    // Concurrent leases: one for an agent with nothing due, the others for 'w' whose lease ran out.
    await store.send(input({ from: 'p', to: 'other', payload: { i: 9 } }));
    const [w1, other, w2] = await Promise.all([
      store.lease({ agent: 'w', limit: 2, leaseSeconds: 30 }),
      store.lease({ agent: 'other', limit: 1, leaseSeconds: 30 }),
      store.lease({ agent: 'w', limit: 2, leaseSeconds: 30 }),
    ]);
    const order = [...w1!, ...w2!].map((d) => (d.message.payload as { i: number }).i).sort();
    expect(order).toEqual([0, 1, 2, 3]);
    const again = [...w1!, ...w2!].find((d) => d.message.id === first!.message.id)!;
    expect(again.message.attempts).toBe(2);
    expect(other!.map((d) => d.message.payload)).toEqual([{ i: 9 }]);
    await expect(store.ack([first!.receipt])).rejects.toSatisfy(isFleetError);
  });
});
