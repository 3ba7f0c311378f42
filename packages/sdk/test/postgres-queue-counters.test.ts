import { seededRandom } from '@fleet/test-utils/mulberry32';
import { hasPostgres, startPostgres, type TestPostgres } from '@fleet/test-utils/postgres';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { FOLD_LOCK_KEY } from '../src/bus/postgres/fold-counts.ts';
import { readPgQueueCounts, recountPgQueueCounts, scanPgQueueStats } from '../src/bus/postgres/recount.ts';
import { PG_HOUSEKEEP_BATCH } from '../src/bus/postgres/transitions.ts';
import { PostgresMessageStore } from '../src/bus/postgres-store.ts';
import { MAX_BATCH_SIZE, SendInput, type SendInputInit } from '../src/schemas/message.ts';
import type { QueueStats } from '../src/schemas/stats.ts';
import { queueMix } from './_queue-mix.ts';
import { freshPostgresUrl } from './_stores.ts';

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);
const opened: Array<{ close(): unknown }> = [];
const pools: pg.Pool[] = [];

afterEach(async () => {
  for (const handle of opened.splice(0).reverse()) await handle.close();
  for (const pool of pools.splice(0)) await pool.end();
});

function rawPool(url: string): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  pool.on('error', () => undefined);
  pools.push(pool);
  return pool;
}

/** The counters equal a recount of the messages, and `stats()` at `now` the scan it replaced. */
async function expectCountersMatchRecount(store: PostgresMessageStore, db: pg.Pool, now: number, label: string) {
  const stats = await store.stats();
  expect(await readPgQueueCounts(db), `${label}: counters`).toEqual(await recountPgQueueCounts(db));
  expect(stats, `${label}: stats()`).toEqual(await scanPgQueueStats(db, now));
}

describe.skipIf(!hasPostgres())('PostgresMessageStore queue counters', () => {
  test.each([1, 2, 3, 4])(
    'equal a full recount after a random mix of every operation, concurrent transactions, sweeps and clock moves (seed %i)',
    async (seed) => {
      let now = T0;
      const url = await freshPostgresUrl();
      const store = await PostgresMessageStore.open({
        url,
        poolSize: 4,
        now: () => now,
        random: seededRandom(seed, 1),
        maxAttempts: 3,
      });
      opened.push(store);
      const db = rawPool(url);
      // One store: the operations of a step run as concurrent transactions, in an order PostgreSQL
      // picks, so a memory store in lockstep would not end in the same state.
      const mix = queueMix([store], seededRandom(seed), (ms) => {
        now += ms;
      });
      const check = (label: string) => expectCountersMatchRecount(store, db, now, label);
      for (let step = 1; step <= 200; step++) {
        await mix.step();
        if (step % 10 === 0) await check(`seed ${seed} step ${step}`);
      }
      now += 120_000;
      await check(`seed ${seed} after the clock moved on`);
      await store.sweep();
      await check(`seed ${seed} after the last sweep`);
      // The sweep folded the deltas: one row per recipient with messages.
      const { rows } = await db.query<{ rows: number; recipients: number }>(
        'SELECT count(*)::int AS rows, count(DISTINCT recipient)::int AS recipients FROM queue_count_deltas',
      );
      expect(rows[0]!.rows).toBe(rows[0]!.recipients);
      const totals = (await store.stats()).totals;
      expect(totals.ready + totals.delayed).toBeGreaterThan(0);
      expect(totals.dead).toBeGreaterThan(0);
    },
  );

  test('a fold under way in one schema holds back only that schema, not a store in another', async () => {
    const [urlA, urlB] = [await freshPostgresUrl(), await freshPostgresUrl()];
    const [a, b] = [await PostgresMessageStore.open({ url: urlA }), await PostgresMessageStore.open({ url: urlB })];
    opened.push(a, b);
    const deltaRows = async (url: string) =>
      (await rawPool(url).query<{ rows: number }>('SELECT count(*)::int AS rows FROM queue_count_deltas')).rows[0]!
        .rows;
    for (const store of [a, b]) {
      for (let i = 0; i < 3; i++) await store.send(SendInput.parse({ from: 'planner', to: 'coder' }));
    }
    expect(await deltaRows(urlA)).toBeGreaterThan(1);
    expect(await deltaRows(urlB)).toBeGreaterThan(1);
    // Schema b's fold lock, held as a sweep of b that is folding right now holds it.
    const holder = new pg.Client({ connectionString: urlB });
    await holder.connect();
    opened.push({ close: () => holder.end() });
    await holder.query('BEGIN');
    await holder.query(`SELECT pg_advisory_xact_lock(${FOLD_LOCK_KEY})`);
    await a.sweep();
    await b.sweep();
    expect(await deltaRows(urlA)).toBe(1);
    expect(await deltaRows(urlB)).toBeGreaterThan(1);
    await holder.query('COMMIT');
    await b.sweep();
    expect(await deltaRows(urlB)).toBe(1);
  });

  test('a backlog of expired leases and TTLs is swept in transactions of at most PG_HOUSEKEEP_BATCH rows, counted exactly', async () => {
    let now = T0;
    const url = await freshPostgresUrl();
    const store = await PostgresMessageStore.open({ url, now: () => now });
    opened.push(store);
    const db = rawPool(url);
    const leased = 2 * PG_HOUSEKEEP_BATCH + 500;
    const timed = PG_HOUSEKEEP_BATCH + 200;
    const many = (count: number, init: SendInputInit) =>
      store.sendBatch(Array.from({ length: count }, () => SendInput.parse(init)));
    await many(leased, { from: 'a', to: 'x', payload: 'leased' });
    await many(timed, { from: 'a', to: 'y', payload: 'timed', ttlSeconds: 5 });
    for (let n = 0; n < leased; n += MAX_BATCH_SIZE) {
      expect(await store.lease({ agent: 'x', limit: MAX_BATCH_SIZE, leaseSeconds: 1 })).toHaveLength(MAX_BATCH_SIZE);
    }
    now += 10_000;
    await store.sweep();
    expect((await store.stats()).totals).toMatchObject({ ready: leased, inFlight: 0, dead: timed });
    await expectCountersMatchRecount(store, db, now, 'after the sweep');
    // The audit rows carry their transaction's id: each transaction handled one batch at most.
    const { rows } = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit WHERE event IN ('lease_expired', 'expired') GROUP BY txid`,
    );
    expect(rows.reduce((sum, row) => sum + row.n, 0)).toBe(leased + timed);
    expect(rows.length).toBeGreaterThanOrEqual(Math.ceil((leased + timed) / PG_HOUSEKEEP_BATCH));
    for (const row of rows) expect(row.n).toBeLessThanOrEqual(PG_HOUSEKEEP_BATCH);
  });

  test('a stats read counts delayed messages whose time came and TTLs that ran out before any sweep', async () => {
    let now = T0;
    const url = await freshPostgresUrl();
    const store = await PostgresMessageStore.open({ url, poolSize: 2, now: () => now });
    opened.push(store);
    const send = (init: SendInputInit) => store.send(SendInput.parse(init));
    await send({ from: 'x', to: 'w', payload: 1 });
    await send({ from: 'x', to: 'w', payload: 2, delaySeconds: 10 });
    await send({ from: 'x', to: 'w', payload: 3, delaySeconds: 30, ttlSeconds: 20 });
    await send({ from: 'x', to: 'w', payload: 4, ttlSeconds: 5, priority: 3 });
    const stats = async () => {
      const [w] = (await store.stats()).recipients;
      return w && [w.ready, w.delayed, w.inFlight, w.dead, w.oldestReadyAgeSeconds];
    };
    expect(await stats()).toEqual([2, 2, 0, 0, 0]);
    now += 5_000;
    expect(await stats()).toEqual([1, 2, 0, 0, 5]);
    now += 5_000;
    expect(await stats()).toEqual([2, 1, 0, 0, 10]);
    now += 10_000;
    expect(await stats()).toEqual([2, 0, 0, 0, 20]);
    // Nothing was written since the sends: the counters still say what they said then.
    expect(await readPgQueueCounts(rawPool(url))).toEqual([{ agent: 'w', ready: 2, delayed: 2, inFlight: 0, dead: 0 }]);
    await store.sweep();
    expect(await stats()).toEqual([2, 0, 0, 2, 20]);
    expect(await readPgQueueCounts(rawPool(url))).toEqual([{ agent: 'w', ready: 2, delayed: 0, inFlight: 0, dead: 2 }]);
  });

  test('a version 1 database is migrated: its ready rows classified by the clock, its counters counted once', async () => {
    let now = T0;
    const url = await freshPostgresUrl();
    const v1 = await PostgresMessageStore.open({ url, poolSize: 2, now: () => now, maxAttempts: 1 });
    opened.push(v1);
    const send = (init: SendInputInit) => v1.send(SendInput.parse(init));
    await send({ from: 'x', to: 'a', payload: 1 });
    await send({ from: 'x', to: 'a', payload: 2, delaySeconds: 10 });
    await send({ from: 'x', to: 'a', payload: 3, delaySeconds: 60 });
    await send({ from: 'x', to: 'a', payload: 4 });
    await send({ from: 'x', to: 'b', payload: 5 });
    const [leased] = await v1.lease({ agent: 'a', limit: 1, leaseSeconds: 600 });
    await v1.nack({ receipt: leased!.receipt, reason: 'no' }); // maxAttempts 1: dead
    await v1.lease({ agent: 'a', limit: 1, leaseSeconds: 600 });
    // Back to version 1's schema (what versions 2 and 3 added, removed; the indexes as they were).
    const db = rawPool(url);
    await db.query(`ALTER TABLE messages DROP COLUMN delayed; DROP TABLE queue_count_deltas;
      CREATE INDEX messages_ready ON messages (recipient, priority DESC, seq) WHERE state = 'ready';
      ALTER TABLE audit DROP COLUMN txid; CREATE INDEX audit_by_message ON audit (message_id, seq); DROP TABLE audit_retention;
      DELETE FROM schema_migrations WHERE version > 1`);
    now += 30_000;
    const store = await PostgresMessageStore.open({ url, poolSize: 2, now: () => now, maxAttempts: 1 });
    opened.push(store);
    expect(await readPgQueueCounts(db)).toEqual([
      { agent: 'a', ready: 1, delayed: 1, inFlight: 1, dead: 1 },
      { agent: 'b', ready: 1, delayed: 0, inFlight: 0, dead: 0 },
    ]);
    await expectCountersMatchRecount(store, db, now, 'after the migration');
    now += 60_000;
    await expectCountersMatchRecount(store, db, now, 'once the delayed one is due');
    const leasedAfter = await store.lease({ agent: 'a', limit: 10, leaseSeconds: 600 });
    expect(leasedAfter.map((d) => d.message.payload)).toEqual([2, 3]);
    await expectCountersMatchRecount(store, db, now, 'after a lease');
  });
});

/**
 * `expect`s the store's stats to equal the scan's, the oldest ready age within `skewSeconds`: the
 * stats take a recipient's oldest ready message as the first in delivery order (per priority, by
 * seq), the scan the smallest `created_at`. Two replicas stamp `created_at` with their own clocks
 * before they insert, and the sequence numbers follow the inserts, so under load a later seq may
 * carry an earlier stamp (a CI run saw 0.6 s against 0.7 s).
 */
function expectStatsNear(stats: QueueStats, scanned: QueueStats, skewSeconds: number): void {
  const ages = (of: QueueStats) => of.recipients.map((recipient) => recipient.oldestReadyAgeSeconds);
  const withoutAges = (of: QueueStats) => ({
    ...of,
    recipients: of.recipients.map((recipient) => ({ ...recipient, oldestReadyAgeSeconds: null })),
  });
  expect(withoutAges(stats)).toEqual(withoutAges(scanned));
  const expected = ages(scanned);
  ages(stats).forEach((age, index) => {
    const reference = expected[index];
    if (age === null || reference === null || reference === undefined) expect(age).toBe(reference);
    else expect(Math.abs(age - reference)).toBeLessThanOrEqual(skewSeconds);
  });
}

describe.skipIf(!hasPostgres())('PostgresMessageStore queue counters across a crash of PostgreSQL', () => {
  let server: TestPostgres | undefined;
  afterAll(() => server?.stop());

  test('equal a recount after PostgreSQL is SIGKILLed in the middle of a mixed load from two replicas', async () => {
    server = await startPostgres();
    const url = await server.createDatabase();
    const replicas = [
      await PostgresMessageStore.open({ url, poolSize: 4, maxAttempts: 3 }),
      await PostgresMessageStore.open({ url, poolSize: 4, maxAttempts: 3 }),
    ];
    opened.push(...replicas);
    const random = seededRandom(7);
    const agents = ['a', 'b', 'c'];
    let stop = false;
    let completed = 0;
    let failed = 0;
    const worker = async (store: PostgresMessageStore) => {
      const receipts: string[] = [];
      while (!stop) {
        const agent = agents[Math.floor(random() * agents.length)]!;
        const roll = random();
        try {
          if (roll < 0.4) {
            await store.sendBatch(
              Array.from({ length: 1 + Math.floor(random() * 5) }, (_, i) =>
                SendInput.parse({
                  from: 'load',
                  to: agent,
                  payload: i,
                  delaySeconds: random() < 0.2 ? 0.05 : 0,
                  ttlSeconds: random() < 0.1 ? 0.05 : null,
                }),
              ),
            );
          } else if (roll < 0.65) {
            const leased = await store.lease({ agent, limit: 3, leaseSeconds: random() < 0.3 ? 0.05 : 60 });
            receipts.push(...leased.map((d) => d.receipt));
          } else if (roll < 0.8 && receipts.length > 0) {
            await store.ack(receipts.splice(0, 2));
          } else if (roll < 0.9 && receipts.length > 0) {
            await store.nack({ receipt: receipts.shift()!, delaySeconds: random() < 0.5 ? 0 : 0.05 });
          } else if (roll < 0.96) {
            // Housekeeping (expired leases and TTLs) and promotion run with each lease and poll.
            await store.poll(agent, 2);
          } else {
            // A sweep holds its lock's connection idle meanwhile: the kill must not crash the process.
            await store.sweep();
          }
          completed += 1;
        } catch {
          failed += 1; // a receipt that expired meanwhile, or the server went away
          if (!server?.running) await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }
    };
    const workers = replicas.flatMap((store) => [worker(store), worker(store), worker(store)]);
    while (completed < 400) await new Promise((resolve) => setTimeout(resolve, 10));
    await server.kill();
    stop = true;
    await Promise.all(workers);
    await server.start();
    let now = Date.now();
    const after = await PostgresMessageStore.open({ url, poolSize: 2, maxAttempts: 3, now: () => now });
    opened.push(after);
    const db = rawPool(url);
    const counts = await readPgQueueCounts(db);
    expect(counts).toEqual(await recountPgQueueCounts(db));
    expect(counts.length).toBeGreaterThan(0);
    expectStatsNear(await after.stats(), await scanPgQueueStats(db, now), 1);
    now += 1000; // past every delay, short lease and TTL of the load
    expectStatsNear(await after.stats(), await scanPgQueueStats(db, now), 1);
    await after.sweep();
    expect(await readPgQueueCounts(db)).toEqual(await recountPgQueueCounts(db));
    expectStatsNear(await after.stats(), await scanPgQueueStats(db, now), 1);
    expect(failed).toBeGreaterThan(0);
  });
});
