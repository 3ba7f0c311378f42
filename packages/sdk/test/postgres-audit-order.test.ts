import { setTimeout as sleep } from 'node:timers/promises';
import { randomTools, seededRandom } from '@fleet/test-utils/mulberry32';
import { hasPostgres } from '@fleet/test-utils/postgres';
import pg from 'pg';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { readAudit } from '../src/bus/postgres/reads.ts';
import { PG_SCHEMA_VERSION } from '../src/bus/postgres/schema.ts';
import { PgTransaction } from '../src/bus/postgres/transaction.ts';
import { PgTransitions } from '../src/bus/postgres/transitions.ts';
import { PostgresMessageStore } from '../src/bus/postgres-store.ts';
import { createPool } from '../src/internal/pg-driver.ts';
import { type AuditEvent, AuditQuery } from '../src/schemas/audit.ts';
import { SendInput, type SendInputInit } from '../src/schemas/message.ts';
import { freshPostgresUrl } from './_stores.ts';

// Audit events are written by many concurrent transactions on several replicas: a transaction can
// take its seq early and commit late. A reader paging with cursors must never skip such an event.

const opened: Array<{ close(): unknown }> = [];
const clients: pg.Client[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) await client.end().catch(() => undefined);
  for (const handle of opened.splice(0).reverse()) await handle.close();
});

async function openStore(url: string): Promise<PostgresMessageStore> {
  const store = await PostgresMessageStore.open({ url, poolSize: 3 });
  opened.push(store);
  return store;
}

/** A connection of its own, outside any store: a transaction it opens stays open until told. */
async function rawClient(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  clients.push(client);
  return client;
}

/** Inserts an audit event the way any writer may: only the event's columns. Resolves with its seq. */
async function insertEvent(client: pg.Client, messageId: string): Promise<number> {
  const { rows } = await client.query<{ seq: string }>(
    `INSERT INTO audit (at, event, message_id, agent, details) VALUES ($1, 'sent', $2, 'raw', NULL) RETURNING seq`,
    [Date.now(), messageId],
  );
  return Number(rows[0]!.seq);
}

const send = (store: PostgresMessageStore, init: SendInputInit) => store.send(SendInput.parse(init));
const ids = (events: AuditEvent[]) => events.map((e) => e.messageId);

/**
 * A reader tailing the trail with cursors, as the fleet report and an operator's tail do: it keeps
 * the last cursor it was given and the events read after it. Reading again from that cursor must
 * return those events first (what was served is final), then whatever became final since.
 */
class Tail {
  readonly read: AuditEvent[] = [];
  #cursor: string | undefined;
  #sinceCursor: AuditEvent[] = [];

  constructor(
    private readonly store: PostgresMessageStore,
    private readonly limit: () => number,
  ) {}

  /** Reads pages until one ends the trail (for now). */
  async drain(): Promise<void> {
    for (;;) {
      const page = await this.store.audit({ limit: this.limit(), ...(this.#cursor ? { cursor: this.#cursor } : {}) });
      const known = Math.min(page.items.length, this.#sinceCursor.length);
      expect(page.items.slice(0, known)).toEqual(this.#sinceCursor.slice(0, known));
      if (page.nextCursor === null) {
        expect(page.items.length).toBeGreaterThanOrEqual(this.#sinceCursor.length);
        this.#sinceCursor = page.items;
        return;
      }
      this.read.push(...page.items);
      this.#cursor = page.nextCursor;
      this.#sinceCursor = this.#sinceCursor.slice(page.items.length);
    }
  }

  /** Everything read, in order. */
  get events(): AuditEvent[] {
    return [...this.read, ...this.#sinceCursor];
  }
}

describe.skipIf(!hasPostgres())('PostgreSQL audit order across replicas', () => {
  test('an event whose transaction took its seq early and committed late is read after the cursor a reader holds, never skipped', async () => {
    const url = await freshPostgresUrl();
    const [store, other] = [await openStore(url), await openStore(url)];
    await send(store, { from: 'a', to: 'b', payload: 1 });
    await send(other, { from: 'a', to: 'b', payload: 2 });
    const [e1, e2] = (await store.audit({ limit: 10 })).items;

    // `early` gets its transaction id first; `held` then writes an event (a low seq) and stays open;
    // `early` writes two events after it (higher seqs, lower transaction id) and commits.
    const early = await rawClient(url);
    const held = await rawClient(url);
    await early.query('BEGIN');
    await early.query('SELECT pg_current_xact_id()');
    await held.query('BEGIN');
    const heldSeq = await insertEvent(held, 'held');
    const earlySeqs = [await insertEvent(early, 'early-1'), await insertEvent(early, 'early-2')];
    await early.query('COMMIT');
    expect(earlySeqs.every((seq) => seq > heldSeq)).toBe(true);
    // Committed while `held` is open, by transactions younger than it: not final yet.
    await send(other, { from: 'a', to: 'c', payload: 3 });
    await send(store, { from: 'a', to: 'c', payload: 4 });

    const first = await store.audit({ limit: 2 });
    expect(first.items).toEqual([e1, e2]);
    const second = await other.audit({ limit: 1, cursor: first.nextCursor! });
    expect(ids(second.items)).toEqual(['early-1']);
    // The reader's cursor is now past the held event's seq.
    expect(second.items[0]!.seq).toBeGreaterThan(heldSeq);
    const whileHeld = await store.audit({ limit: 10, cursor: second.nextCursor! });
    expect(ids(whileHeld.items)).toEqual(['early-2']);
    expect(whileHeld.nextCursor).toBeNull();

    await held.query('COMMIT');
    const after = await other.audit({ limit: 10, cursor: second.nextCursor! });
    const sentLater = (await store.audit({ limit: 10, agent: 'c' })).items;
    expect(ids(after.items)).toEqual(['early-2', 'held', ...ids(sentLater)]);
    expect(after.items[1]!.seq).toBe(heldSeq);
    const everything = (await store.audit({ limit: 100 })).items;
    expect(ids(everything)).toEqual([e1!.messageId, e2!.messageId, 'early-1', 'early-2', 'held', ...ids(sentLater)]);
  });

  test('an event committed while an older transaction is open is read once that one ends; a rolled-back event never', async () => {
    const url = await freshPostgresUrl();
    const store = await openStore(url);
    const rolledBack = await rawClient(url);
    await rolledBack.query('BEGIN');
    await insertEvent(rolledBack, 'rolled-back');
    await send(store, { from: 'a', to: 'b' });
    expect((await store.audit({ limit: 10 })).items).toEqual([]);
    await rolledBack.query('ROLLBACK');
    expect((await store.audit({ limit: 10 })).items.map((e) => e.event)).toEqual(['sent']);
  });

  test('a read that reaches the end waits for the older transactions still open, so a writer reads its own events', async () => {
    const url = await freshPostgresUrl();
    const store = await openStore(url);
    const older = await rawClient(url);
    await older.query('BEGIN');
    await older.query('SELECT pg_current_xact_id()');
    const sent = await send(store, { from: 'a', to: 'b' });
    const peek = createPool({ url, max: 1, applicationName: 'audit-order-peek' });
    const pool = createPool({ url, max: 1, applicationName: 'audit-order-reader' });
    opened.push({ close: () => peek.end() }, { close: () => pool.end() });
    // A read that may not wait serves only what is final: nothing yet.
    expect((await readAudit(peek, AuditQuery.parse({}), 0)).items).toEqual([]);
    let settled = false;
    const reading = readAudit(pool, AuditQuery.parse({}), 60_000).finally(() => {
      settled = true;
    });
    // Once the reader polls the horizon (or, wrongly, answered without waiting), the older transaction ends.
    const watcher = await rawClient(url); // outside a transaction, which would see one frozen pg_stat_activity
    while (!settled) {
      const { rows } = await watcher.query<{ waiting: boolean }>(
        `SELECT count(*) > 0 AS waiting FROM pg_stat_activity
          WHERE application_name = 'audit-order-reader' AND query LIKE '%AS passed%'`,
      );
      if (rows[0]!.waiting) break;
      await sleep(2);
    }
    await older.query('COMMIT');
    expect((await reading).items.map((e) => e.messageId)).toEqual([sent.messages[0]!.id]);
  });

  test.each([1, 2, 3])(
    'readers tailing with cursors while three replicas and slow transactions write read every committed event exactly once (seed %i)',
    async (seed) => {
      const url = await freshPostgresUrl();
      const stores = [await openStore(url), await openStore(url), await openStore(url)];
      const rnd = randomTools(seededRandom(seed));
      const committedRaw = new Set<string>();
      const rolledBackRaw = new Set<string>();
      let writing = true;

      const replicaWriter = async (store: PostgresMessageStore, n: number) => {
        for (let i = 0; i < 40; i++) {
          const agent = rnd.pick(['p', 'q', 'r']);
          if (rnd.chance(0.6)) await send(store, { from: 'w', to: agent, payload: `${n}-${i}` });
          else {
            const leased = await store.lease({ agent, limit: 2, leaseSeconds: 60 });
            await store.ack(leased.map((d) => d.receipt));
          }
        }
      };
      // Transactions that take their id and their seqs at random moments and commit (or roll back)
      // late: the interleavings that reorder ids, seqs and commits.
      const slowWriter = async (n: number) => {
        const client = await rawClient(url);
        for (let i = 0; i < 25; i++) {
          const id = `raw-${n}-${i}`;
          await client.query('BEGIN');
          if (rnd.chance(0.5)) await client.query('SELECT pg_current_xact_id()');
          await sleep(rnd.int(8));
          await insertEvent(client, id);
          await sleep(rnd.int(8));
          if (rnd.chance(0.5)) await insertEvent(client, `${id}-b`);
          await sleep(rnd.int(8));
          if (rnd.chance(0.2)) {
            await client.query('ROLLBACK');
            rolledBackRaw.add(id);
          } else {
            await client.query('COMMIT');
            committedRaw.add(id);
          }
        }
      };
      const tails = stores.map((store) => new Tail(store, () => 1 + rnd.int(6)));
      const reader = async (tail: Tail) => {
        while (writing) {
          await tail.drain();
          await sleep(rnd.int(5));
        }
      };

      const readers = Promise.all(tails.map(reader));
      await Promise.all([...stores.map(replicaWriter), slowWriter(0), slowWriter(1), slowWriter(2)]);
      writing = false;
      await readers;
      for (const tail of tails) await tail.drain();

      const db = await rawClient(url);
      const { rows } = await db.query<{ seq: string }>('SELECT seq FROM audit ORDER BY txid, seq');
      const all = rows.map((row) => Number(row.seq));
      expect(all.length).toBeGreaterThan(200);
      for (const tail of tails) {
        const seqs = tail.events.map((e) => e.seq);
        expect(new Set(seqs).size).toBe(seqs.length);
        expect(seqs).toEqual(all);
        const raw = new Set(tail.events.filter((e) => e.agent === 'raw').map((e) => e.messageId.replace(/-b$/, '')));
        expect(raw).toEqual(committedRaw);
        expect([...rolledBackRaw].filter((id) => raw.has(id))).toEqual([]);
      }
    },
  );

  test('a version 2 database keeps its events first, in their order, and a cursor of version 2 still pages on', async () => {
    const url = await freshPostgresUrl();
    const before = await openStore(url);
    for (const payload of [1, 2, 3]) await send(before, { from: 'a', to: 'b', payload });
    const old = (await before.audit({ limit: 10 })).items;
    await before.close();
    // Back to version 2's schema: no txid, the message index in seq order.
    const db = await rawClient(url);
    await db.query(`ALTER TABLE audit DROP COLUMN txid; CREATE INDEX audit_by_message ON audit (message_id, seq);
      DROP TABLE audit_retention; DELETE FROM schema_migrations WHERE version > 2`);
    // A row written meanwhile by a replica of the old SDK, which lists only the event's columns.
    await insertEvent(db, 'old-sdk');

    const store = await openStore(url);
    const { rows } = await db.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
    expect(rows).toEqual(Array.from({ length: PG_SCHEMA_VERSION }, (_, i) => ({ version: i + 1 })));
    await send(store, { from: 'a', to: 'c', payload: 4 });
    const all = (await store.audit({ limit: 10 })).items;
    expect(ids(all).slice(0, 4)).toEqual([...ids(old), 'old-sdk']);
    expect(all[4]).toMatchObject({ event: 'sent', agent: 'c' });
    // A bare seq, as version 2 handed out, continues after that event.
    const resumed = await store.audit({ limit: 10, cursor: String(old[0]!.seq) });
    expect(resumed.items).toEqual(all.slice(1));
    const byMessage = await store.audit({ limit: 10, messageId: old[1]!.messageId });
    expect(byMessage.items).toEqual([old[1]]);
  });

  test('a version 3 database with events may have lost older ones: its trail is complete only after its oldest event', async () => {
    const url = await freshPostgresUrl();
    const before = await openStore(url);
    for (const payload of [1, 2]) await send(before, { from: 'a', to: 'b', payload });
    const [oldest] = (await before.audit({ limit: 10 })).items;
    expect((await before.audit({ limit: 10 })).prunedThrough).toBeNull();
    await before.close();
    const db = await rawClient(url);
    await db.query('DROP TABLE audit_retention; DELETE FROM schema_migrations WHERE version > 3');

    const store = await openStore(url);

    expect((await store.audit({ limit: 1 })).prunedThrough).toBe(new Date(Date.parse(oldest!.at) - 1).toISOString());
  });

  test('a version 3 database whose events are all gone says so: its trail is complete only from the upgrade on', async () => {
    const url = await freshPostgresUrl();
    const before = await openStore(url);
    await send(before, { from: 'a', to: 'b', payload: 1 });
    await before.close();
    const db = await rawClient(url);
    await db.query('DELETE FROM audit; DROP TABLE audit_retention; DELETE FROM schema_migrations WHERE version > 3');
    const upgradedAfter = Date.now();

    const store = await openStore(url);

    const { prunedThrough } = await store.audit({ limit: 1 });
    expect(Date.parse(prunedThrough!)).toBeGreaterThanOrEqual(upgradedAfter);
    // A database that never held an event stays complete.
    expect((await (await openStore(await freshPostgresUrl())).audit({ limit: 1 })).prunedThrough).toBeNull();
  });

  test('retention by count keeps at most auditMaxEvents: a seq a rolled-back write took among the newest counts as one', async () => {
    const url = await freshPostgresUrl();
    const store = await PostgresMessageStore.open({ url, poolSize: 3, auditMaxEvents: 3 });
    opened.push(store);
    for (const payload of [1, 2, 3]) await send(store, { from: 'a', to: 'b', payload });
    const rolledBack = await rawClient(url);
    await rolledBack.query('BEGIN');
    const skipped = await insertEvent(rolledBack, 'rolled-back');
    await rolledBack.query('ROLLBACK');
    for (const payload of [4, 5]) await send(store, { from: 'a', to: 'b', payload });
    const before = (await store.audit({ limit: 10 })).items;
    expect(before.map((e) => e.seq)).not.toContain(skipped);

    await store.sweep();

    // Seqs 1-3, the skipped 4, then 5 and 6: the newest three seqs are 4-6, of which two are events.
    const after = await store.audit({ limit: 10 });
    expect(after.items).toEqual(before.slice(3));
    expect(after.prunedThrough).toBe(before[2]!.at);
  });

  test('a lease that does housekeeping first lists delivered after sent, for a message stored meanwhile', async () => {
    const url = await freshPostgresUrl();
    // One clock for both replicas: B's message is due by A's clock (replica clocks a millisecond
    // apart, either way, make the same race).
    let clock = Date.parse('2026-12-06T00:00:00Z');
    const now = () => clock;
    const a = await PostgresMessageStore.open({ url, poolSize: 3, now });
    const b = await PostgresMessageStore.open({ url, poolSize: 3, now });
    opened.push(a, b);
    // A delayed message that has come due: x's next lease takes the long way (housekeeping first).
    await send(a, { from: 'p', to: 'x', payload: 'delayed', delaySeconds: 1 });
    clock += 2000;
    // Between the housekeeping and the claim, replica B stores a message for x and commits.
    let stored: string | undefined;
    const housekeep = PgTransitions.prototype.housekeep;
    const spy = vi.spyOn(PgTransitions.prototype, 'housekeep').mockImplementation(async function (
      this: PgTransitions,
      ...args: Parameters<PgTransitions['housekeep']>
    ) {
      const handled = await housekeep.apply(this, args);
      stored ??= (await send(b, { from: 'p', to: 'x', payload: 'meanwhile' })).messages[0]!.id;
      return handled;
    });
    try {
      const leased = await a.lease({ agent: 'x', limit: 10, leaseSeconds: 30 });
      expect(leased.map((d) => d.message.payload)).toEqual(['delayed', 'meanwhile']);
    } finally {
      spy.mockRestore();
    }
    const trail = await a.audit(AuditQuery.parse({ messageId: stored }));
    expect(trail.items.map((e) => e.event)).toEqual(['sent', 'delivered']);
  });

  test('retention keeps an event another replica commits, with a lower seq, while a pass runs', async () => {
    const url = await freshPostgresUrl();
    const t0 = Date.parse('2026-12-06T00:00:00Z');
    let clock = t0;
    const store = await PostgresMessageStore.open({ url, poolSize: 3, now: () => clock, auditMaxAgeSeconds: 60 });
    opened.push(store);
    for (const payload of [1, 2, 3]) await send(store, { from: 'p', to: 'x', payload });
    clock += 120_000;
    // Replica B's send takes the next seq and commits late; replica C's, a higher seq, at once.
    const b = await rawClient(url);
    await b.query('BEGIN');
    const late = await insertEvent(b, 'late');
    const early = await insertEvent(await rawClient(url), 'early');
    expect(late).toBeLessThan(early);
    // B commits after the pass has looked for the first young event, before it deletes.
    const rows = PgTransaction.prototype.rows;
    const spy = vi.spyOn(PgTransaction.prototype, 'rows').mockImplementation(async function (
      this: PgTransaction,
      ...args: Parameters<PgTransaction['rows']>
    ) {
      const result = await rows.apply(this, args);
      if (args[0].startsWith('SELECT min(seq) AS seq FROM audit')) await b.query('COMMIT');
      return result as never;
    });
    try {
      await store.sweep();
    } finally {
      spy.mockRestore();
    }
    // The three old events went; both young ones stayed, and the trail is complete after the old.
    const trail = await store.audit(AuditQuery.parse({ limit: 10 }));
    expect(ids(trail.items)).toEqual(['late', 'early']);
    expect(trail.prunedThrough).toBe(new Date(t0).toISOString());
  });

  test('a malformed or out-of-range cursor is rejected as invalid', async () => {
    const store = await openStore(await freshPostgresUrl());
    for (const cursor of ['nope', '1.', '.1', '1.2.3', '18446744073709551616.1', '-1']) {
      await expect(store.audit({ limit: 1, cursor }), cursor).rejects.toMatchObject({ code: 'validation_failed' });
    }
  });
});
