import { closedPort } from '@fleet/test-utils/closed-port';
import { hasPostgres, startPostgres, type TestPostgres } from '@fleet/test-utils/postgres';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { openMessageStore } from '../src/bus/open-store.ts';
import { DatabaseClock } from '../src/bus/postgres/database-clock.ts';
import { MIGRATION_LOCK, PG_SCHEMA_VERSION } from '../src/bus/postgres/schema.ts';
import { PostgresMessageStore, type PostgresMessageStoreOptions } from '../src/bus/postgres-store.ts';
import { isFleetError } from '../src/errors.ts';
import type { Delivery } from '../src/schemas/lease.ts';
import { SendInput, type SendInputInit } from '../src/schemas/message.ts';

// The behaviour every backend shares is in message-store.test.ts; this file covers what only a
// shared database has: several stores (replicas) on one database, migrations, the pool, outages.

/** `schema_migrations` of a database this SDK created: each version once. */
const EVERY_VERSION = Array.from({ length: PG_SCHEMA_VERSION }, (_, i) => ({ version: i + 1 }));

const send = (store: PostgresMessageStore, init: SendInputInit) => store.send(SendInput.parse(init));

async function query<Row extends pg.QueryResultRow>(url: string, sql: string, values: unknown[] = []): Promise<Row[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<Row>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

/** How the store fails when nothing listens on the port: `unavailable` (a 503), the driver's error as its cause. */
const UNREACHABLE = { code: 'unavailable', cause: { message: expect.stringMatching(/ECONNREFUSED/) } };

describe.skipIf(!hasPostgres())('PostgresMessageStore on a shared database', () => {
  let server: TestPostgres;
  let opened: PostgresMessageStore[] = [];

  async function open(options: Omit<PostgresMessageStoreOptions, 'url'> & { url: string }) {
    const store = await PostgresMessageStore.open(options);
    opened.push(store);
    return store;
  }

  beforeAll(async () => {
    server = await startPostgres();
  });
  afterEach(async () => {
    for (const store of opened) await store.close();
    opened = [];
  });
  afterAll(() => server?.stop());

  test('openMessageStore opens a PostgreSQL store for postgres:// and postgresql:// URLs', async () => {
    const url = await server.createDatabase();
    for (const db of [url, url.replace(/^postgres:/, 'postgresql:')]) {
      const store = openMessageStore(db, { durability: 'fsync', poolSize: 2 });
      opened.push(store as PostgresMessageStore);
      expect(store).toBeInstanceOf(PostgresMessageStore);
      expect(store.backend).toBe('postgres');
    }
    const [first, second] = opened;
    await send(first!, { from: 'a', to: 'b', payload: 'through one' });
    const [delivery] = await second!.lease({ agent: 'b', limit: 1, leaseSeconds: 30 });
    expect(delivery?.message.payload).toBe('through one');
  });

  test('replicas leasing for one agent at once each get different messages, and all of them', async () => {
    const url = await server.createDatabase();
    const replicas = [await open({ url, poolSize: 4 }), await open({ url, poolSize: 4 })];
    await replicas[0]!.sendBatch(
      Array.from({ length: 60 }, (_, i) => SendInput.parse({ from: 'a', to: 'b', payload: i })),
    );
    const leased: Delivery[] = [];
    await Promise.all(
      replicas.flatMap((replica) =>
        Array.from({ length: 4 }, async () => {
          for (;;) {
            const batch = await replica.lease({ agent: 'b', limit: 3, leaseSeconds: 60 });
            if (batch.length === 0) return;
            leased.push(...batch);
          }
        }),
      ),
    );
    const payloads = leased.map((d) => d.message.payload as number).sort((x, y) => x - y);
    expect(payloads).toEqual(Array.from({ length: 60 }, (_, i) => i));
    expect(leased.every((d) => d.message.attempts === 1)).toBe(true);
    // A receipt from either replica acks through the other.
    const receipts = leased.map((d) => d.receipt);
    expect(await replicas[1]!.ack(receipts.slice(0, 30))).toBe(30);
    expect(await replicas[0]!.ack(receipts.slice(30))).toBe(30);
    expect((await replicas[0]!.stats()).count).toBe(0);
  });

  test('concurrent sends with one idempotency key through two replicas store one message', async () => {
    const url = await server.createDatabase();
    const replicas = [await open({ url }), await open({ url })];
    const results = await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        send(replicas[i % 2]!, { from: 'a', to: 'b', payload: i, idempotencyKey: 'once' }),
      ),
    );
    expect(new Set(results.map((r) => r.messages[0]!.id)).size).toBe(1);
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    expect((await replicas[1]!.stats()).totals.ready).toBe(1);
  });

  test('stores opening a new database together migrate it once', async () => {
    const url = await server.createDatabase();
    await Promise.all([open({ url }), open({ url }), open({ url })]);
    expect(await query(url, 'SELECT version FROM schema_migrations ORDER BY version')).toEqual(EVERY_VERSION);
  });

  test('a connection lost while a store waits to migrate fails that open, not the process', async () => {
    const url = await server.createDatabase();
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    // The store's migration, trying the lock again and again while another replica holds it.
    const waiting = `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()
      AND query LIKE 'SELECT pg_try_advisory_xact_lock%'`;
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      // Settled with its error at once: it may fail before the test awaits it (an unhandled rejection).
      const opening = PostgresMessageStore.open({ url }).then(
        (store) => opened.push(store),
        (error: unknown) => error,
      );
      while ((await query(url, waiting)).length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
      // Unheard, the lost connection's 'error' event was an uncaught exception: the process died.
      await query(url, `SELECT pg_terminate_backend(pid) FROM (${waiting}) AS w`);
      expect(await opening).toMatchObject({ code: 'unavailable' });
    } finally {
      await holder.end();
    }
    await open({ url });
    expect(await query(url, 'SELECT version FROM schema_migrations ORDER BY version')).toEqual(EVERY_VERSION);
  });

  test('a database written by a newer version is refused', async () => {
    const url = await server.createDatabase();
    await open({ url });
    await query(url, 'INSERT INTO schema_migrations (version, applied_at) VALUES (99, 0)');
    await expect(PostgresMessageStore.open({ url })).rejects.toThrow(/schema version 99, newer than this SDK/);
  });

  test('the pool never opens more connections than its size', async () => {
    const url = await server.createDatabase();
    const store = await open({ url, poolSize: 2 });
    // Keyed sends take the transaction path, one connection each (plain ones share a statement).
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => send(store, { from: 'a', to: `agent-${i}`, idempotencyKey: `k${i}` })),
    );
    const [row] = await query<{ n: number }>(
      url,
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'fleet-bus' AND datname = $1`,
      [new URL(url).pathname.slice(1)],
    );
    expect(row?.n).toBe(2);
    expect((await store.stats()).count).toBe(20);
  });

  test('a store on an unreachable database fails to open, and a closed store is unavailable', async () => {
    const url = `postgres://postgres@127.0.0.1:${await closedPort()}/nothing`;
    await expect(PostgresMessageStore.open({ url })).rejects.toMatchObject(UNREACHABLE);
    const store = await PostgresMessageStore.open({ url: await server.createDatabase() });
    await store.close();
    await store.close();
    const error = await send(store, { from: 'a', to: 'b' }).catch((e: unknown) => e);
    expect(isFleetError(error) && error.code).toBe('unavailable');
  });

  test('a NUL character (which text columns cannot hold) finds nothing on lookup and fails a write as invalid', async () => {
    const store = await open({ url: await server.createDatabase(), maxAttempts: 1 });
    const fieldOf = (error: unknown) =>
      isFleetError(error) && error.code === 'validation_failed'
        ? (error.details as { issues: { field: string }[] }).issues[0]?.field
        : String(error);
    const single = await send(store, { from: 'a', to: 'b', type: 'x\u0000y' }).catch((e: unknown) => e);
    expect(fieldOf(single)).toBe('type');
    expect(isFleetError(single) && single.message).toBe(
      'type: must not contain the NUL character (U+0000), which PostgreSQL cannot store',
    );
    const batch = [
      SendInput.parse({ from: 'a', to: 'b' }),
      SendInput.parse({ from: 'a', to: 'b', idempotencyKey: '\u0000' }),
    ];
    expect(fieldOf(await store.sendBatch(batch).catch((e: unknown) => e))).toBe('messages.1.idempotencyKey');
    expect((await store.stats()).count).toBe(0);

    await send(store, { from: 'a', to: 'b', payload: { text: 'a\u0000b' } });
    const [delivery] = await store.lease({ agent: 'b', limit: 1, leaseSeconds: 30 });
    expect(delivery?.message.payload).toEqual({ text: 'a\u0000b' });
    const nacked = await store.nack({ receipt: delivery!.receipt, reason: 'bad\u0000' }).catch((e: unknown) => e);
    expect(fieldOf(nacked)).toBe('reason');
    const ackError = await store.ack([`x\u0000y~token`]).catch((e: unknown) => e);
    expect(isFleetError(ackError) && ackError.code).toBe('receipt_unknown');
    // A NUL in the lease token matches no lease (the one-statement ack once sent it to PostgreSQL: 500).
    const tokenError = await store.ack([`${delivery!.message.id}~tok\u0000en`]).catch((e: unknown) => e);
    expect(isFleetError(tokenError) && tokenError.code).toBe('receipt_expired');
    await store.nack({ receipt: delivery!.receipt, reason: 'bad' }); // the lease was untouched; now it dies
    const id = delivery!.message.id;
    expect(await store.deadLetter(`${id}\u0000`)).toBeUndefined();
    expect(await store.redrive({ ids: [`${id}\u0000`] })).toBe(0);
    expect((await store.audit({ limit: 10, messageId: `${id}\u0000` })).items).toEqual([]);
    const deadAt = Date.parse((await store.deadLetter(id))!.deadAt);
    const before = Buffer.from(`${deadAt}:${id.slice(0, -1)}\u0000`).toString('base64url');
    expect((await store.deadLetters({ limit: 10, cursor: before })).items.map((d) => d.message.id)).toEqual([id]);
  });

  test('a store constructed while the server is down works once it is up, without being reopened', async () => {
    const url = await server.createDatabase();
    await server.stop();
    const store = openMessageStore(url) as PostgresMessageStore;
    opened.push(store);
    try {
      await expect(send(store, { from: 'a', to: 'b' })).rejects.toMatchObject(UNREACHABLE);
      await expect(store.stats()).rejects.toMatchObject(UNREACHABLE);
    } finally {
      await server.start();
    }
    expect((await send(store, { from: 'a', to: 'b' })).count).toBe(1);
    expect(await query(url, 'SELECT version FROM schema_migrations ORDER BY version')).toEqual(EVERY_VERSION);
  });

  test('a server that refuses writes as read-only answers unavailable, and the store reconnects instead of reusing its connections', async () => {
    // A failover that left this replica's open connections on a demoted (read-only) primary while
    // new ones reach the new primary: every session reads `default_transaction_read_only = on` from
    // the configuration, except new sessions on this database, which the database's own setting
    // (read only when a session starts) keeps writable.
    const url = await server.createDatabase();
    const database = new URL(url).pathname.slice(1);
    const store = await open({ url, poolSize: 2 });
    // Both of the pool's connections open now (the pool closes idle ones only after 10 s).
    await Promise.all([store.subscribe('a', 'builds'), store.subscribe('b', 'builds')]);
    await query(url, `ALTER DATABASE ${pg.escapeIdentifier(database)} SET default_transaction_read_only = off`);
    try {
      await query(url, 'ALTER SYSTEM SET default_transaction_read_only = on');
      await query(url, 'SELECT pg_reload_conf()');
      // The reload reaches the server's processes asynchronously: wait until a write is refused.
      let refused: unknown;
      for (let attempt = 0; attempt < 200 && refused === undefined; attempt++) {
        await store.subscribe('c', `topic-${attempt}`).catch((error: unknown) => {
          refused = error;
        });
        if (refused === undefined) await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(refused).toMatchObject({ code: 'unavailable', cause: { code: '25006' } });
      // Each refusal drops its connection: within the pool's size the store is on a writable one.
      const outcomes: string[] = [];
      for (let attempt = 0; attempt < 3 && outcomes.at(-1) !== 'ok'; attempt++) {
        outcomes.push(
          await store.subscribe('c', 'deploys').then(
            () => 'ok',
            (error: { code?: string }) => String(error.code),
          ),
        );
      }
      expect(outcomes.at(-1)).toBe('ok');
      expect(outcomes.slice(0, -1).every((outcome) => outcome === 'unavailable')).toBe(true);
      expect((await send(store, { from: 'a', topic: 'deploys' })).count).toBe(1);
    } finally {
      await query(url, 'ALTER SYSTEM RESET default_transaction_read_only');
      await query(url, 'SELECT pg_reload_conf()');
    }
  });

  test('subscribing through one replica while another unsubscribes the same pair always answers with a subscription', async () => {
    const url = await server.createDatabase();
    const [a, b] = [await open({ url, poolSize: 8 }), await open({ url, poolSize: 8 })];
    await a.subscribe('coder', 'builds');
    const failures: unknown[] = [];
    for (let round = 0; round < 100; round++) {
      await Promise.all([
        ...Array.from({ length: 4 }, () => a.subscribe('coder', 'builds').catch((error) => failures.push(error))),
        ...Array.from({ length: 4 }, () => b.unsubscribe('coder', 'builds')),
      ]);
    }
    expect(failures).toEqual([]);
  });

  test("the default clock is this host's aligned with the database's; a clock given in the options is used as it is", async () => {
    const url = await server.createDatabase();
    const [row] = await query<{ ms: number }>(
      url,
      'SELECT (extract(epoch FROM clock_timestamp()) * 1000)::float8 AS ms',
    );
    const databaseMs = row!.ms;
    const aligned = await open({ url });
    const { clockOffsetMs } = await aligned.health();
    // Test and server share this host's clock: the offset is the round trip's noise.
    expect(Math.abs(clockOffsetMs as number)).toBeLessThan(50);
    const sent = await send(aligned, { from: 'a', to: 'b' });
    expect(Date.parse(sent.messages[0]!.createdAt)).toBeGreaterThanOrEqual(Math.floor(databaseMs) - 50);

    const fixed = Date.UTC(2030, 0, 1);
    const given = await open({ url, now: () => fixed });
    expect(await given.health()).not.toHaveProperty('clockOffsetMs');
    expect((await send(given, { from: 'a', to: 'b' })).messages[0]!.createdAt).toBe(new Date(fixed).toISOString());
  });

  test('a clock 5 s ahead of the database is measured as such, and measuring again does not make it jitter', async () => {
    const db = new pg.Pool({ connectionString: await server.createDatabase(), max: 1 });
    try {
      const clock = new DatabaseClock(() => Date.now() + 5000);
      expect(clock.offsetMs).toBeUndefined();
      await clock.measure(db);
      const offset = clock.offsetMs!;
      expect(offset).toBeGreaterThan(-5050);
      expect(offset).toBeLessThan(-4950);
      expect(Math.abs(clock.now() - Date.now())).toBeLessThan(50);
      for (let i = 0; i < 5; i++) await clock.measure(db);
      expect(clock.offsetMs).toBe(offset);
    } finally {
      await db.end();
    }
  });

  test('after the server is killed and restarted the same store works again and lost nothing it acknowledged', async () => {
    const url = await server.createDatabase();
    const store = await open({ url, poolSize: 3 });
    const sent = await send(store, { from: 'a', to: 'b', payload: 'kept' });
    await server.kill();
    await expect(send(store, { from: 'a', to: 'b', payload: 'while down' })).rejects.toMatchObject({
      code: 'unavailable',
    });
    await server.start();
    const [delivery] = await store.lease({ agent: 'b', limit: 10, leaseSeconds: 30 });
    expect(delivery?.message.id).toBe(sent.messages[0]!.id);
    expect(await store.ack([delivery!.receipt])).toBe(1);
  });
});
