import { createRequire } from 'node:module';
import { seededRandom } from '@fleet/test-utils/mulberry32';
import type Database from 'better-sqlite3';
import { afterEach, describe, expect, test } from 'vitest';
import { MemoryMessageStore } from '../src/bus/memory-store.ts';
import { readQueueCounts } from '../src/bus/sqlite/recount.ts';
import { SqliteMessageStore } from '../src/bus/sqlite-store.ts';
import { SendInput } from '../src/schemas/message.ts';
import { expectCountersMatchRecount, openRaw, queueMix } from './_queue-mix.ts';
import { freshDatabasePath } from './_stores.ts';

const Driver = createRequire(import.meta.url)('better-sqlite3') as typeof Database;
const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);
const opened: Array<{ close(): unknown }> = [];

afterEach(async () => {
  for (const handle of opened.splice(0).reverse()) await handle.close();
});

function open(path: string, now: () => number, seed = 0): SqliteMessageStore {
  const store = new SqliteMessageStore({ path, now, random: seededRandom(seed, 1), maxAttempts: 3 });
  opened.push(store);
  return store;
}

function raw(path: string): Database.Database {
  const db = openRaw(path);
  opened.push(db);
  return db;
}

describe('SqliteMessageStore queue counters', () => {
  test.each([1, 2, 3, 4, 5, 6, 7, 8])(
    'equal a full recount, and the memory store the same stats, after a random mix of every operation, sweeps and clock moves (seed %i)',
    async (seed) => {
      let now = T0;
      const path = freshDatabasePath();
      const store = open(path, () => now, seed);
      const memory = new MemoryMessageStore({ now: () => now, random: seededRandom(seed, 1), maxAttempts: 3 });
      opened.push(memory);
      const db = raw(path);
      const mix = queueMix([store, memory], seededRandom(seed), (ms) => {
        now += ms;
      });
      const check = async (label: string) => {
        await expectCountersMatchRecount(store, db, now, label);
        expect(await memory.stats(), `${label}: memory store`).toEqual(await store.stats());
      };
      for (let step = 1; step <= 300; step++) {
        await mix.step();
        if (step % 10 === 0) await check(`seed ${seed} step ${step}`);
      }
      // Past every delay, lease and TTL of the mix, before and after the sweep that settles them.
      now += 120_000;
      await check(`seed ${seed} after the clock moved on`);
      await store.sweep();
      await memory.sweep();
      await check(`seed ${seed} after the last sweep`);
      // The mix did reach every counted state: a recount of zeros would prove nothing.
      const totals = readQueueCounts(db).reduce(
        (sum, row) => ({ ready: sum.ready + row.ready, dead: sum.dead + row.dead }),
        { ready: 0, dead: 0 },
      );
      expect(totals.ready).toBeGreaterThan(0);
      expect(totals.dead).toBeGreaterThan(0);
    },
  );

  test('a stats read counts delayed messages whose time came and TTLs that ran out before any sweep', async () => {
    let now = T0;
    const path = freshDatabasePath();
    const store = open(path, () => now);
    const send = (init: Parameters<typeof SendInput.parse>[0]) => store.send(SendInput.parse(init));
    await send({ from: 'x', to: 'w', payload: 1 });
    await send({ from: 'x', to: 'w', payload: 2, delaySeconds: 10 });
    await send({ from: 'x', to: 'w', payload: 3, delaySeconds: 30, ttlSeconds: 20 });
    await send({ from: 'x', to: 'w', payload: 4, ttlSeconds: 5 });
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
    expect(readQueueCounts(raw(path))).toEqual([{ agent: 'w', ready: 2, delayed: 2, inFlight: 0, dead: 0 }]);
    await store.sweep();
    expect(await stats()).toEqual([2, 0, 0, 2, 20]);
  });

  test('a version 1 database is migrated and its counters recounted once', async () => {
    let now = T0;
    const path = freshDatabasePath();
    const v1 = new Driver(path);
    opened.push(v1);
    v1.exec(V1_FIXTURE);
    v1.pragma('user_version = 1');
    v1.close();
    now += 30_000;
    const store = open(path, () => now);
    const db = raw(path);
    expect(readQueueCounts(db)).toEqual([
      { agent: 'a', ready: 2, delayed: 1, inFlight: 1, dead: 1 },
      { agent: 'b', ready: 1, delayed: 0, inFlight: 0, dead: 0 },
    ]);
    await expectCountersMatchRecount(store, db, now, 'after the migration');
    // The rebuilt ready index serves leases: the two available ones in order, the delayed one not yet.
    const lease = async () =>
      (await store.lease({ agent: 'a', limit: 10, leaseSeconds: 600 })).map((d) => d.message.payload);
    expect(await lease()).toEqual([1, 2]);
    await expectCountersMatchRecount(store, db, now, 'after a lease');
    now += 60_000;
    await expectCountersMatchRecount(store, db, now, 'once the delayed one is due');
    expect(await lease()).toEqual([3]);
    await store.sweep();
    await expectCountersMatchRecount(store, db, now, 'after a sweep');
  });
});

/** A version 1 file's rows, written with its own schema: one row per state, one delayed past T0 + 30 s. */
const V1_FIXTURE = `
CREATE TABLE messages (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, sender TEXT NOT NULL, recipient TEXT NOT NULL,
  topic TEXT, type TEXT NOT NULL, payload TEXT NOT NULL, priority INTEGER NOT NULL, created_at INTEGER NOT NULL,
  available_at INTEGER NOT NULL, expires_at INTEGER, attempts INTEGER NOT NULL, idempotency_key TEXT, state TEXT NOT NULL,
  lease_token TEXT, lease_expires_at INTEGER, dead_reason TEXT, dead_at INTEGER, last_error TEXT);
CREATE INDEX messages_ready ON messages (recipient, priority DESC, seq, available_at, expires_at, created_at)
  WHERE state = 'ready';
CREATE INDEX messages_leases ON messages (lease_expires_at, recipient) WHERE state = 'in_flight';
CREATE INDEX messages_ttl ON messages (expires_at, recipient) WHERE state = 'ready' AND expires_at IS NOT NULL;
CREATE INDEX messages_dead_by_agent ON messages (recipient, dead_at, id) WHERE state = 'dead';
CREATE INDEX messages_dead ON messages (dead_at, id) WHERE state = 'dead';
CREATE TABLE agents (name TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE subscriptions (topic TEXT NOT NULL, agent TEXT NOT NULL, created_at INTEGER NOT NULL,
  PRIMARY KEY (topic, agent)) WITHOUT ROWID;
CREATE INDEX subscriptions_by_agent ON subscriptions (agent, topic);
CREATE TABLE idempotency_keys (sender TEXT NOT NULL, key TEXT NOT NULL, created_at INTEGER NOT NULL,
  response TEXT NOT NULL, PRIMARY KEY (sender, key)) WITHOUT ROWID;
CREATE INDEX idempotency_keys_age ON idempotency_keys (created_at);
CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
INSERT INTO meta (key, value) VALUES ('audit_seq', 0);
CREATE TABLE audit (seq INTEGER PRIMARY KEY, at INTEGER NOT NULL, event TEXT NOT NULL, message_id TEXT NOT NULL,
  agent TEXT NOT NULL, details TEXT);
CREATE INDEX audit_by_message ON audit (message_id, seq);
INSERT INTO agents VALUES ('a'), ('b'), ('x');
INSERT INTO messages (id, sender, recipient, type, payload, priority, created_at, available_at, expires_at, attempts,
    state, lease_token, lease_expires_at, dead_reason, dead_at) VALUES
  ('m1', 'x', 'a', 'message', '1', 0, ${T0}, ${T0}, NULL, 0, 'ready', NULL, NULL, NULL, NULL),
  ('m2', 'x', 'a', 'message', '2', 0, ${T0 + 1000}, ${T0 + 10_000}, NULL, 1, 'ready', NULL, NULL, NULL, NULL),
  ('m3', 'x', 'a', 'message', '3', 0, ${T0 + 2000}, ${T0 + 60_000}, NULL, 0, 'ready', NULL, NULL, NULL, NULL),
  ('m4', 'x', 'a', 'message', '4', 0, ${T0}, ${T0}, NULL, 1, 'in_flight', 'tok', ${T0 + 600_000}, NULL, NULL),
  ('m5', 'x', 'a', 'message', '5', 0, ${T0}, ${T0}, NULL, 5, 'dead', NULL, NULL, 'max_attempts', ${T0}),
  ('m6', 'x', 'b', 'message', '6', 0, ${T0}, ${T0}, ${T0 + 3_600_000}, 0, 'ready', NULL, NULL, NULL, NULL);
`;
