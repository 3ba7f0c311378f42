import { createRequire } from 'node:module';
import type Database from 'better-sqlite3';
import { afterEach, describe, expect, test } from 'vitest';
import { AUDIT_PASSES_PER_SWEEP, AUDIT_PRUNE_BATCH } from '../src/bus/internal/audit-retention.ts';
import { MemoryMessageStore } from '../src/bus/memory-store.ts';
import { openMessageStore } from '../src/bus/open-store.ts';
import { PAGE_SIZE, WAL_AUTOCHECKPOINT_BYTES } from '../src/bus/sqlite/connection-settings.ts';
import { GroupCommitWriter } from '../src/bus/sqlite/group-commit.ts';
import { LEASE_COLUMNS, leaseRowOf, MESSAGE_COLUMNS, messageRowOf } from '../src/bus/sqlite/rows.ts';
import { SCHEMA_VERSION } from '../src/bus/sqlite/schema.ts';
import { prepareStatements } from '../src/bus/sqlite/statements.ts';
import { SqliteMessageStore, type SqliteMessageStoreOptions } from '../src/bus/sqlite-store.ts';
import { isFleetError } from '../src/errors.ts';
import type { Message, SendResult } from '../src/schemas/message.ts';
import { SendInput, type SendInputInit } from '../src/schemas/message.ts';
import { freshDatabasePath } from './_stores.ts';

const Driver = createRequire(import.meta.url)('better-sqlite3') as typeof Database;
const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);

let now = T0;
const opened: SqliteMessageStore[] = [];
const raw: Database.Database[] = [];

function open(options: Partial<SqliteMessageStoreOptions> & { path: string }): SqliteMessageStore {
  const store = new SqliteMessageStore({ now: () => now, random: () => 0.5, ...options });
  opened.push(store);
  return store;
}

/** A second, independent connection to the file: it sees committed data only. */
function connect(path: string): Database.Database {
  const db = new Driver(path);
  raw.push(db);
  return db;
}

const input = (init: SendInputInit) => SendInput.parse(init);
const send = (store: SqliteMessageStore, init: SendInputInit) => store.send(input(init));

afterEach(async () => {
  for (const db of raw.splice(0)) db.close();
  for (const store of opened.splice(0)) await store.close();
  now = T0;
});

describe('SqliteMessageStore persistence', () => {
  test('an empty path is refused: SQLite would open a temporary database, deleted on close', () => {
    expect(() => new SqliteMessageStore({ path: '' })).toThrow(
      "A SQLite database path must not be empty: give a file, or ':memory:' for one in memory",
    );
  });

  test('reopening the file keeps messages, leases, dead letters, subscriptions, idempotency keys and audit', async () => {
    const path = freshDatabasePath();
    const first = open({ path, maxAttempts: 1 });
    await first.subscribe('carol', 'news');
    const queued = await send(first, { from: 'alice', to: 'bob', payload: { n: 1 }, priority: 5 });
    const keyed = await send(first, { from: 'alice', to: 'bob', payload: { n: 2 }, idempotencyKey: 'k1' });
    const [leased] = await first.lease({ agent: 'bob', limit: 1, leaseSeconds: 60 });
    expect(leased?.message.id).toBe(queued.messages[0]!.id);
    await send(first, { from: 'alice', to: 'dave', payload: 'doomed' });
    const [dying] = await first.lease({ agent: 'dave', limit: 1, leaseSeconds: 60 });
    await first.nack({ receipt: dying!.receipt, reason: 'boom' });
    const auditBefore = (await first.audit({ limit: 1000 })).items;
    await first.close();

    const second = open({ path, maxAttempts: 1 });
    now += 1000;
    // The lease survived: the leased message stays hidden and its receipt still acks it.
    const [next] = await second.lease({ agent: 'bob', limit: 10, leaseSeconds: 60 });
    expect(next?.message.id).toBe(keyed.messages[0]!.id);
    expect(await second.ack([leased!.receipt])).toBe(1);
    const dead = await second.deadLetters({ limit: 10 });
    expect(dead.items.map((d) => [d.message.payload, d.reason, d.lastError])).toEqual([
      ['doomed', 'max_attempts', 'boom'],
    ]);
    expect(await second.subscriptions({})).toEqual([
      { agent: 'carol', topic: 'news', createdAt: new Date(T0).toISOString() },
    ]);
    const repeat = await send(second, { from: 'alice', to: 'bob', payload: { n: 2 }, idempotencyKey: 'k1' });
    expect(repeat).toEqual({ ...keyed, duplicate: true });
    expect((await second.audit({ limit: auditBefore.length })).items).toEqual(auditBefore);
    // Known agents survived too: a broadcast reaches everyone the first store had seen.
    const broadcast = await send(second, { from: 'alice', to: '*' });
    expect(broadcast.messages.map((m) => m.to)).toEqual(['bob', 'carol', 'dave']);
  });

  test('audit seq keeps increasing after retention has pruned every event', async () => {
    const path = freshDatabasePath();
    const store = open({ path, auditMaxAgeSeconds: 10 });
    await send(store, { from: 'a', to: 'b' });
    const [before] = (await store.audit({ limit: 10 })).items;
    now += 60_000;
    await store.sweep();
    expect((await store.audit({ limit: 10 })).items).toEqual([]);
    await send(store, { from: 'a', to: 'b' });
    const [after] = (await store.audit({ limit: 10 })).items;
    expect(after!.seq).toBeGreaterThan(before!.seq);
  });

  test('one sweep works off a large audit backlog in passes, each its own commit', async () => {
    const path = freshDatabasePath();
    const store = open({ path, auditMaxEvents: 10 });
    const batch = Array.from({ length: 100 }, () => input({ from: 'a', to: 'b' }));
    for (let i = 0; i < 120; i++) await store.sendBatch(batch);
    const count = () => connect(path).prepare('SELECT count(*) FROM audit').pluck().get();
    expect(count()).toBe(12_000);
    const commits = store.commitCount;
    await store.sweep();
    expect(count()).toBe(10);
    // The sweep's own commit, then two retention passes: 12,000 events are more than one looks at.
    expect(AUDIT_PRUNE_BATCH).toBeLessThan(12_000);
    expect(store.commitCount - commits).toBe(3);
    const newest = (await store.audit({ limit: 100 })).items;
    expect(newest.map((e) => e.seq)).toEqual(Array.from({ length: 10 }, (_, i) => 11_991 + i));
  });

  test('a backlog larger than one sweep takes goes over the next sweeps', async () => {
    const path = freshDatabasePath();
    const store = open({ path, auditMaxEvents: 10 });
    for (let i = 0; i < 600; i++) await store.subscribe(`s${i}`, 'load');
    const sends = Array.from({ length: 100 }, () => input({ from: 'bulk', topic: 'load' }));
    for (let i = 0; i < 2; i++) await store.sendBatch(sends);
    const count = () => connect(path).prepare('SELECT count(*) FROM audit').pluck().get();
    expect(count()).toBe(120_000);
    const perSweep = AUDIT_PRUNE_BATCH * AUDIT_PASSES_PER_SWEEP;
    expect(perSweep).toBeLessThan(120_000 - 10);
    await store.sweep();
    expect(count()).toBe(120_000 - perSweep);
    await store.sweep();
    expect(count()).toBe(10);
  });

  test('closing the store while a sweep runs ends the sweep quietly', async () => {
    const store = open({ path: freshDatabasePath(), auditMaxEvents: 10 });
    await store.sendBatch(Array.from({ length: 100 }, () => input({ from: 'a', to: 'b' })));
    const sweeping = store.sweep();
    await store.close();
    await expect(sweeping).resolves.toBeUndefined();
  });

  test('close writes the sends still waiting for their group commit', async () => {
    const path = freshDatabasePath();
    const store = open({ path });
    const pending = send(store, { from: 'a', to: 'b', payload: 'last words' });
    await store.close();
    expect((await pending).count).toBe(1);
    const reopened = open({ path });
    expect((await reopened.poll('b', 10)).map((m) => m.payload)).toEqual(['last words']);
  });

  test('a listener that sends when close commits the last sends (a forwarder) is refused as unavailable', async () => {
    const path = freshDatabasePath();
    const store = open({ path });
    const forwarded: Array<Promise<unknown>> = [];
    store.onMessage((message) => {
      forwarded.push(store.send(input({ from: 'router', to: 'archive', payload: message.payload })));
    }, 'router');
    const pending = send(store, { from: 'a', to: 'router', payload: 'last words' });
    await store.close();
    expect((await pending).count).toBe(1);
    expect(forwarded).toHaveLength(1);
    const error = await forwarded[0]!.catch((e: unknown) => e);
    expect(isFleetError(error) && error.code).toBe('unavailable');
  });
});

describe('SqliteMessageStore audit retention across versions', () => {
  test('a version 2 database says whether retention had removed events: never, up to its oldest event, or all', async () => {
    const [untouched, pruned, emptied] = [freshDatabasePath(), freshDatabasePath(), freshDatabasePath()];
    for (const path of [untouched, pruned, emptied]) {
      const store = open({ path, now: () => T0 });
      for (const payload of [1, 2, 3]) await send(store, { from: 'a', to: 'b', payload });
      // A sweep (every second on a server) remembers the highest seq, pruned or not.
      await store.sweep();
      await store.close();
      const db = connect(path);
      db.exec(`DELETE FROM meta WHERE key = 'audit_pruned_through'`);
      if (path === pruned) db.exec('DELETE FROM audit WHERE seq = 1');
      if (path === emptied) db.exec('DELETE FROM audit');
      db.pragma('user_version = 2');
    }

    const reopen = (path: string) => open({ path, now: () => T0 + 60_000 });

    expect((await reopen(untouched).audit({ limit: 1 })).prunedThrough).toBeNull();
    expect((await reopen(pruned).audit({ limit: 1 })).prunedThrough).toBe(new Date(T0 - 1).toISOString());
    expect((await reopen(emptied).audit({ limit: 1 })).prunedThrough).toBe(new Date(T0 + 60_000).toISOString());
  });
});

describe('SqliteMessageStore group commit', () => {
  test('sends made in the same tick are written in one transaction', async () => {
    const store = open({ path: freshDatabasePath() });
    const before = store.commitCount;
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => send(store, { from: 'a', to: 'b', payload: { i } })),
    );
    expect(store.commitCount - before).toBe(1);
    expect(new Set(results.map((r) => r.messages[0]!.id)).size).toBe(200);
    const deliveries = await store.lease({ agent: 'b', limit: 100, leaseSeconds: 30 });
    expect(deliveries.map((d) => d.message.payload)).toEqual(Array.from({ length: 100 }, (_, i) => ({ i })));
  });

  test('sends made in different ticks are written in separate transactions', async () => {
    const store = open({ path: freshDatabasePath() });
    const before = store.commitCount;
    await send(store, { from: 'a', to: 'b' });
    await send(store, { from: 'a', to: 'b' });
    expect(store.commitCount - before).toBe(2);
  });

  test('under load a group also takes the writes of the next event-loop turn', async () => {
    const store = open({ path: freshDatabasePath() });
    const before = store.commitCount;
    const first = [send(store, { from: 'a', to: 'b', payload: 1 }), send(store, { from: 'a', to: 'b', payload: 2 })];
    // Queued on the next turn, while the group of two is gathering.
    const next = await new Promise<Promise<unknown>>((resolve) =>
      setImmediate(() => resolve(send(store, { from: 'a', to: 'b', payload: 3 }))),
    );
    await Promise.all([...first, next]);
    expect(store.commitCount - before).toBe(1);
    const deliveries = await store.lease({ agent: 'b', limit: 10, leaseSeconds: 30 });
    expect(deliveries.map((d) => d.message.payload)).toEqual([1, 2, 3]);
  });

  test('a lone write commits on its own turn, without waiting for the next', async () => {
    const store = open({ path: freshDatabasePath() });
    const before = store.commitCount;
    const lone = send(store, { from: 'a', to: 'b' });
    const next = await new Promise<Promise<unknown>>((resolve) =>
      setImmediate(() => resolve(send(store, { from: 'a', to: 'b' }))),
    );
    await Promise.all([lone, next]);
    expect(store.commitCount - before).toBe(2);
  });

  test('a failing send in a group fails alone and leaves no trace', async () => {
    const path = freshDatabasePath();
    const store = open({ path });
    const unserializable = { ...input({ from: 'ghost', to: 'phantom' }), payload: { n: 1n } as never };
    const { to: _to, ...invalid } = input({ from: 'ghost', to: 'phantom' });
    const outcomes = await Promise.allSettled([
      send(store, { from: 'a', to: 'b', payload: 1 }),
      store.send(unserializable),
      store.sendBatch([input({ from: 'a', to: 'b', payload: 2 }), invalid]),
      send(store, { from: 'a', to: 'c', payload: 3 }),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toBeInstanceOf(TypeError);
    expect(isFleetError((outcomes[2] as PromiseRejectedResult).reason)).toBe(true);
    expect(store.commitCount).toBe(1);
    // Only the two good sends are stored and audited, and the failed sender and recipient never became known.
    const db = connect(path);
    expect(db.prepare('SELECT payload FROM messages ORDER BY seq').pluck().all()).toEqual(['1', '3']);
    expect((await store.audit({ limit: 100 })).items.map((e) => e.agent)).toEqual(['b', 'c']);
    const broadcast = await send(store, { from: 'a', to: '*' });
    expect(broadcast.messages.map((m) => m.to)).toEqual(['b', 'c']);
  });

  test('leases, acks and sends of the same tick share one transaction, in call order', async () => {
    const store = open({ path: freshDatabasePath() });
    await Promise.all(['w1', 'w2', 'w3'].map((to) => send(store, { from: 'a', to })));
    const before = store.commitCount;
    const [sent, leased, ...others] = await Promise.all([
      send(store, { from: 'a', to: 'w4' }),
      store.lease({ agent: 'w4', limit: 1, leaseSeconds: 30 }),
      ...['w1', 'w2', 'w3'].map((agent) => store.lease({ agent, limit: 1, leaseSeconds: 30 })),
    ]);
    expect(store.commitCount - before).toBe(1);
    // The lease ran after the send it was called after, in the same transaction.
    expect(leased[0]?.message.id).toBe(sent.messages[0]!.id);
    const receipts = [leased, ...others].map((deliveries) => deliveries[0]!.receipt);
    const acks = await Promise.all(receipts.map((receipt) => store.ack([receipt])));
    expect(acks).toEqual([1, 1, 1, 1]);
    expect(store.commitCount - before).toBe(2);
    expect((await store.stats()).count).toBe(0);
  });

  test('a write whose prepare failed after SQLite rolled the group back fails the whole group, writing nothing', async () => {
    // SQLite ends the transaction itself on some errors (SQLITE_FULL, SQLITE_IOERR, SQLITE_NOMEM):
    // the writes after it must not run outside the transaction and commit on their own.
    const db = connect(freshDatabasePath());
    db.exec('CREATE TABLE t (x INTEGER)');
    const writer = new GroupCommitWriter(db);
    const insert = (x: number) =>
      writer.enqueue({ prepare: () => x, apply: (value) => db.prepare('INSERT INTO t VALUES (?)').run(value) });
    const outcomes = await Promise.allSettled([
      insert(1),
      writer.enqueue({
        prepare: () => {
          db.exec('ROLLBACK');
          throw new Error('database or disk is full');
        },
        apply: () => undefined,
      }),
      insert(3),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(db.prepare('SELECT x FROM t').pluck().all()).toEqual([]);
    expect(writer.commits).toBe(0);
  });

  test('a bad receipt fails only its own call in a group', async () => {
    const store = open({ path: freshDatabasePath() });
    await send(store, { from: 'a', to: 'b' });
    const [delivery] = await store.lease({ agent: 'b', limit: 1, leaseSeconds: 30 });
    const before = store.commitCount;
    const outcomes = await Promise.allSettled([
      store.ack([delivery!.receipt]),
      store.ack([delivery!.receipt]),
      store.nack({ receipt: 'nonsense' }),
    ]);
    expect(store.commitCount - before).toBe(1);
    expect(outcomes[0]).toEqual({ status: 'fulfilled', value: 1 });
    // The second ack runs after the first has deleted the message.
    const codes = outcomes.slice(1).map((o) => (o.status === 'rejected' && isFleetError(o.reason) ? o.reason.code : o));
    expect(codes).toEqual(['receipt_unknown', 'receipt_unknown']);
  });

  test('an operation after an unawaited send sees the send', async () => {
    const store = open({ path: freshDatabasePath() });
    const sent = send(store, { from: 'a', to: 'b', payload: 'early' });
    const stats = await store.stats();
    expect(stats.totals.ready).toBe(1);
    const [delivery] = await store.lease({ agent: 'b', limit: 1, leaseSeconds: 30 });
    expect(delivery?.message.id).toBe((await sent).messages[0]!.id);
  });

  test('onMessage listeners run once the copy is committed', async () => {
    const path = freshDatabasePath();
    const store = open({ path });
    const other = connect(path);
    const visible: Array<[Message, boolean]> = [];
    store.onMessage((message) => {
      const row = other.prepare('SELECT 1 FROM messages WHERE id = ?').get(message.id);
      visible.push([message, row !== undefined]);
    });
    const result: SendResult = await send(store, { from: 'a', to: 'b', payload: { x: 1 } });
    expect(visible).toEqual([[result.messages[0], true]]);
  });
});

describe('SqliteMessageStore setup', () => {
  test.each([
    ['normal', 'normal'],
    ['fsync', 'full'],
  ] as const)('durability %s sets synchronous = %s in WAL mode', (durability, synchronous) => {
    const store = open({ path: freshDatabasePath(), durability });
    expect(store.settings()).toEqual({
      journalMode: 'wal',
      synchronous,
      busyTimeoutMs: 5000,
      schemaVersion: SCHEMA_VERSION,
      pageSize: PAGE_SIZE,
      walAutocheckpointPages: WAL_AUTOCHECKPOINT_BYTES / PAGE_SIZE,
    });
  });

  test('a file created with 4 KiB pages keeps them, and checkpoints after as many bytes of WAL', async () => {
    const path = freshDatabasePath();
    await open({ path }).close();
    // As an older version created it: the same bus file, with SQLite's default 4 KiB pages.
    const old = connect(path);
    old.pragma('journal_mode = DELETE');
    old.pragma('page_size = 4096');
    old.exec('VACUUM');
    old.pragma('journal_mode = WAL');
    old.close();
    const store = open({ path });
    expect(store.settings()).toMatchObject({ pageSize: 4096, walAutocheckpointPages: WAL_AUTOCHECKPOINT_BYTES / 4096 });
    await send(store, { from: 'a', to: 'b', payload: 'x'.repeat(10_000) });
    const [delivery] = await store.lease({ agent: 'b', limit: 1, leaseSeconds: 30 });
    expect(delivery?.message.payload).toBe('x'.repeat(10_000));
  });

  test('durability defaults to normal', () => {
    expect(open({ path: freshDatabasePath() }).settings().synchronous).toBe('normal');
  });

  test.each(['normal', 'fsync'] as const)(
    'durability %s is read back from SQLite, in health() too',
    async (durability) => {
      const store = open({ path: freshDatabasePath(), durability });
      expect(store.durability).toBe(durability);
      expect(await store.health()).toEqual({ durability });
    },
  );

  test('health() of a closed store rejects with unavailable', async () => {
    const store = open({ path: freshDatabasePath() });
    await store.close();
    const error = await store.health().catch((e: unknown) => e);
    expect(isFleetError(error) && error.code).toBe('unavailable');
  });

  test('a database written by a newer schema version is refused', () => {
    const path = freshDatabasePath();
    const db = connect(path);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    expect(() => open({ path })).toThrow(/newer than this SDK supports/);
  });

  test('the directory of a new database file is created', async () => {
    const path = freshDatabasePath().replace(/\.db$/, '/nested/bus.db');
    const store = open({ path });
    await send(store, { from: 'a', to: 'b' });
    expect(connect(path).prepare('SELECT count(*) FROM messages').pluck().get()).toBe(1);
  });

  test('a closed store refuses work with unavailable', async () => {
    const store = open({ path: freshDatabasePath() });
    await store.close();
    await store.close();
    const error = await send(store, { from: 'a', to: 'b' }).catch((e: unknown) => e);
    expect(isFleetError(error) && error.code).toBe('unavailable');
  });

  test('openMessageStore gives a memory store for :memory: and a SQLite store for a path', async () => {
    const memory = openMessageStore(':memory:', { durability: 'fsync' });
    expect(memory).toBeInstanceOf(MemoryMessageStore);
    await memory.close();
    const sqlite = openMessageStore(freshDatabasePath(), { durability: 'fsync' });
    opened.push(sqlite as SqliteMessageStore);
    expect(sqlite.backend).toBe('sqlite');
    expect((sqlite as SqliteMessageStore).settings().synchronous).toBe('full');
  });
});

/** NULL for every parameter of `sql` (`?` or `@name`): enough to ask SQLite for a query plan. */
function nullParams(sql: string): unknown[] {
  const named = sql.match(/@\w+/g);
  if (named) return [Object.fromEntries(named.map((name) => [name.slice(1), null]))];
  return Array.from(sql.matchAll(/\?/g), () => null);
}

describe('SqliteMessageStore query plans', () => {
  // The scaling guarantee, checked without timing: no statement scans the messages table or sorts
  // it, so its cost does not grow with the size of the queue. Stats included: they read counters.
  test('every statement, stats included, is an index search', () => {
    const path = freshDatabasePath();
    open({ path });
    const db = connect(path);
    const plans = Object.entries(prepareStatements(db)).map(([name, prepared]) => {
      const statement = typeof prepared === 'function' ? prepared(10) : prepared;
      const plan = db.prepare(`EXPLAIN QUERY PLAN ${statement.source}`).all(...nullParams(statement.source)) as Array<{
        detail: string;
      }>;
      return [name, plan.map((row) => row.detail).join(' | ')] as const;
    });
    for (const [name, plan] of plans) {
      expect(plan, name).not.toMatch(/SCAN messages/);
      // Only the expired messages of one agent are sorted, to dead-letter them in delivery order.
      if (name !== 'expiredReadyOf') expect(plan, name).not.toMatch(/TEMP B-TREE FOR (LAST TERM OF )?ORDER BY/);
    }
    const deliverable = plans.find(([name]) => name === 'deliverable')![1];
    expect(deliverable).toBe('SEARCH messages USING INDEX messages_ready (recipient=?)');
  });
});

describe('SqliteMessageStore raw rows', () => {
  // The hot statements read rows as arrays and map them with one object literal: the mapping must
  // stay in step with the column lists, for rows in every state with every column set.
  test('rows read as arrays map to the objects the driver itself builds', async () => {
    const path = freshDatabasePath();
    const store = open({ path, maxAttempts: 2 });
    await store.subscribe('b', 'jobs');
    await send(store, { from: 'a', topic: 'jobs', ttlSeconds: 60, idempotencyKey: 'k1', priority: 3 });
    await send(store, { from: 'a', to: 'c', payload: { n: 1 } });
    const [first] = await store.lease({ agent: 'c', limit: 1, leaseSeconds: 30 });
    await store.nack({ receipt: first!.receipt, delaySeconds: 0, reason: 'flaky' });
    await store.lease({ agent: 'c', limit: 1, leaseSeconds: 30 });
    await send(store, { from: 'a', to: 'd' });
    for (const _ of [1, 2]) {
      const [delivery] = await store.lease({ agent: 'd', limit: 1, leaseSeconds: 30 });
      await store.nack({ receipt: delivery!.receipt, delaySeconds: 0, reason: 'broken' });
    }
    const db = connect(path);
    const states = db.prepare('SELECT state, count(*) AS n FROM messages GROUP BY state ORDER BY state').all();
    expect(states).toEqual([
      { state: 'dead', n: 1 },
      { state: 'in_flight', n: 1 },
      { state: 'ready', n: 1 },
    ]);
    for (const [columns, map] of [
      [MESSAGE_COLUMNS, messageRowOf],
      [LEASE_COLUMNS, leaseRowOf],
    ] as const) {
      const sql = `SELECT ${columns} FROM messages ORDER BY seq`;
      const objects = db.prepare(sql).all();
      expect(
        db
          .prepare(sql)
          .raw(true)
          .all()
          .map((row) => map(row as unknown[])),
      ).toEqual(objects);
    }
  });
});
