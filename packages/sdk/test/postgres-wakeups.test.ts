import { darkenableProxy } from '@fleet/test-utils/dark-proxy';
import { hasPostgres } from '@fleet/test-utils/postgres';
import pg from 'pg';
import { afterEach, describe, expect, test } from 'vitest';
import { leaseWithWait } from '../src/bus/long-poll.ts';
import { pgOperation } from '../src/bus/postgres/failures.ts';
import { channelOf, PgListenConnection } from '../src/bus/postgres/listen-connection.ts';
import { PgWakeups } from '../src/bus/postgres/wakeups.ts';
import { PostgresMessageStore, type PostgresMessageStoreOptions } from '../src/bus/postgres-store.ts';
import { isFleetError } from '../src/errors.ts';
import { type Message, SendInput } from '../src/schemas/message.ts';
import { freshPostgresUrl } from './_stores.ts';

// Replicas on one database in one process: each store is what one `fleet-bus` replica holds.

const opened: PostgresMessageStore[] = [];
afterEach(async () => {
  for (const store of opened.splice(0)) await store.close();
});

async function open(options: PostgresMessageStoreOptions): Promise<PostgresMessageStore> {
  const store = await PostgresMessageStore.open({ poolSize: 4, ...options });
  opened.push(store);
  return store;
}

/** Collects what `store.onMessage` hands out; `until` resolves once `ids` have all arrived. */
function collect(store: PostgresMessageStore) {
  const seen: Message[] = [];
  const waiters: Array<() => void> = [];
  store.onMessage((message) => {
    seen.push(message);
    for (const wake of waiters.splice(0)) wake();
  });
  return {
    seen,
    async until(ids: string[]): Promise<void> {
      while (!ids.every((id) => seen.some((m) => m.id === id))) await new Promise<void>((r) => waiters.push(r));
    },
  };
}

/** Resolves once each store's LISTEN connection is up (so a send now is announced to it). */
async function listening(...stores: PostgresMessageStore[]): Promise<void> {
  for (const store of stores) {
    while ((await store.health()).wakeups !== 'notify') await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Rows `store` has read of other replicas' messages, as its `/health` details report. */
async function rowsRead(store: PostgresMessageStore): Promise<number> {
  return (await store.health()).wakeupRowsRead as number;
}

/** Resolves once `condition` holds, looking every 20 ms. */
async function until(condition: () => Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 20));
}

/**
 * Runs `sql` on a connection of its own, as a replica whose process is not a store here would
 * (an INSERT committed with no NOTIFY after it: a writer that died, or an older version's NOTIFY).
 */
async function onOwnConnection(url: string, run: (client: pg.Client) => Promise<unknown>): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await run(client);
  } finally {
    await client.end();
  }
}

/** The stores' notification channel in the schema `client` is on. */
async function channel(client: pg.Client): Promise<string> {
  const { rows } = await client.query<{ schema: string }>('SELECT current_schema() AS schema');
  return channelOf(rows[0]!.schema);
}

/** An INSERT of ready messages with the given ids and recipients, as a replica writes them. */
function insertSql(copies: Array<[id: string, to: string]>): string {
  const values = copies.map(
    ([id, to]) => `('${id}', 'ghost', '${to}', NULL, 'message', '{"n":1}', 0, 1, 1, NULL, 0, NULL, 'ready')`,
  );
  return `INSERT INTO messages (id, sender, recipient, topic, type, payload, priority, created_at, available_at,
    expires_at, attempts, idempotency_key, state) VALUES ${values.join(', ')}`;
}

const hexId = (n: number) => n.toString(16).padStart(32, '0');

describe.skipIf(!hasPostgres())('PostgreSQL replicas wake each other', () => {
  test('a store hands its listeners what another store on the database stored, each message once', async () => {
    const url = await freshPostgresUrl();
    const [a, b] = [await open({ url }), await open({ url })];
    await listening(a, b);
    const onA = collect(a);
    const onB = collect(b);
    // 300 copies: more ids than one notification's payload holds.
    const batch = Array.from({ length: 300 }, (_, i) =>
      SendInput.parse({ from: 'x', to: `agent-${i % 7}`, payload: i }),
    );
    const ids = (await a.sendBatch(batch)).messages.map((m) => m.id);
    const single = (await b.send(SendInput.parse({ from: 'y', to: 'agent-0' }))).messages[0]!.id;
    await onB.until([...ids, single]);
    await onA.until([...ids, single]);
    // A marker sent after everything else: once it is in, anything sent twice would be too.
    const marker = (await a.send(SendInput.parse({ from: 'x', to: 'marker' }))).messages[0]!.id;
    await onB.until([marker]);
    await onA.until([marker]);
    for (const { seen } of [onA, onB]) expect(seen.map((m) => m.id).sort()).toEqual([...ids, single, marker].sort());
    expect(onB.seen.find((m) => m.id === ids[5])).toMatchObject({ from: 'x', to: 'agent-5', payload: 5 });
  });

  test('a long poll on one store returns what another store stored while it waited', async () => {
    const url = await freshPostgresUrl();
    const [a, b] = [await open({ url }), await open({ url })];
    await listening(a, b);
    const waiting = leaseWithWait(b, { agent: 'poller', limit: 1, leaseSeconds: 30, waitSeconds: 20 });
    const id = (await a.send(SendInput.parse({ from: 'x', to: 'poller' }))).messages[0]!.id;
    expect((await waiting).map((d) => d.message.id)).toEqual([id]);
  });

  test('a message whose notification never came (its writer died before NOTIFY) reaches listeners by polling', async () => {
    const url = await freshPostgresUrl();
    const b = await open({ url });
    const onB = collect(b);
    const writer = new pg.Client({ connectionString: url });
    await writer.connect();
    try {
      // A replica's insert, committed, with no NOTIFY after it.
      await writer.query(
        `INSERT INTO messages (id, sender, recipient, topic, type, payload, priority, created_at, available_at,
          expires_at, attempts, idempotency_key, state)
        VALUES ('0123456789abcdef0123456789abcdef', 'ghost', 'listener', NULL, 'message', '{"n":1}', 0, 1, 1,
          NULL, 0, NULL, 'ready')`,
      );
    } finally {
      await writer.end();
    }
    await onB.until(['0123456789abcdef0123456789abcdef']);
    expect(onB.seen).toMatchObject([{ id: '0123456789abcdef0123456789abcdef', from: 'ghost', payload: { n: 1 } }]);
  });

  test('a replica waiting for one agent reads none of the messages another replica stores for other agents', async () => {
    const url = await freshPostgresUrl();
    const [a, b] = [await open({ url }), await open({ url })];
    await listening(a, b);
    const forWaiter: Message[] = [];
    b.onMessage((message) => forWaiter.push(message), 'waiter');
    const waiting = leaseWithWait(b, { agent: 'waiter', limit: 10, leaseSeconds: 30, waitSeconds: 20 });
    // 300 copies to others first (several notifications), then one to the waiter, which wakes at once.
    await a.sendBatch(Array.from({ length: 300 }, (_, i) => SendInput.parse({ from: 'x', to: `other-${i % 7}` })));
    const first = (await a.send(SendInput.parse({ from: 'x', to: 'waiter' }))).messages[0]!.id;
    expect((await waiting).map((d) => d.message.id)).toEqual([first]);
    // A second one: once it is in, every notification of the sends before it has been handled.
    const second = (await a.send(SendInput.parse({ from: 'x', to: 'waiter' }))).messages[0]!.id;
    await until(async () => forWaiter.some((m) => m.id === second));
    expect(forWaiter.map((m) => m.id)).toEqual([first, second]);
    // Each of the waiter's rows is read at most three times (its notification, two polling rounds);
    // the 300 others, never.
    const read = await rowsRead(b);
    expect(read).toBeGreaterThanOrEqual(2);
    expect(read).toBeLessThanOrEqual(6);
  });

  test("a waiter whose notification was lost is woken by polling, which reads only its agent's rows", async () => {
    const url = await freshPostgresUrl();
    const b = await open({ url });
    const forWaiter: Message[] = [];
    b.onMessage((message) => forWaiter.push(message), 'waiter');
    const others = Array.from({ length: 50 }, (_, i): [string, string] => [hexId(i + 1), `other-${i % 3}`]);
    // The waiter's row last: the round that reads it has passed the others' rows too.
    await onOwnConnection(url, (client) => client.query(insertSql([...others, [hexId(99), 'waiter']])));
    await until(async () => forWaiter.length > 0);
    expect(forWaiter).toMatchObject([{ id: hexId(99), to: 'waiter', from: 'ghost' }]);
    // The polling rounds that read it (two at most) read nothing else.
    expect(await rowsRead(b)).toBeLessThanOrEqual(2);
  });

  /**
   * A fresh database and its wakeups' polling fallback alone (no LISTEN), for a listener of agent
   * `x`, with a connection `slow` of its own for a transaction that commits late; `run` gets them
   * and the ids delivered, in order.
   */
  async function fallbackOnly(
    run: (parts: { url: string; wakeups: PgWakeups; slow: pg.Client; delivered: string[] }) => Promise<void>,
  ): Promise<void> {
    const url = await freshPostgresUrl();
    await open({ url }); // the schema
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    const delivered: string[] = [];
    const wakeups = new PgWakeups({
      url,
      pool: async () => pool,
      listeners: { size: 1, listensFor: (agent) => agent === 'x', agents: () => ['x'] },
      deliver: (message) => delivered.push(message.id),
    });
    const slow = new pg.Client({ connectionString: url });
    await slow.connect();
    try {
      await wakeups.pollNow(); // the starting point
      await run({ url, wakeups, slow, delivered });
    } finally {
      await slow.end();
      await wakeups.close();
      await pool.end();
    }
  }

  test('polling reads every row of a transaction that commits more rows than one round reads, after a later one', async () => {
    await fallbackOnly(async ({ url, wakeups, slow, delivered }) => {
      // 1,500 rows take their seqs first, a later transaction's row commits before them.
      await slow.query('BEGIN');
      await slow.query(insertSql(Array.from({ length: 1500 }, (_, i) => [hexId(i + 1), 'x'])));
      await onOwnConnection(url, (client) => client.query(insertSql([[hexId(9999), 'y']])));
      await wakeups.pollNow(); // sees the later row's seq, none of the 1,500
      await slow.query('COMMIT');
      await wakeups.pollNow(); // a full round: the first 1,000
      await wakeups.pollNow(); // the other 500 (a full round used to set the floor past them)
      expect(new Set(delivered).size).toBe(1500);
    });
  });

  test('polling reads a row whose transaction took its seq rounds before it committed, with later rows committed meanwhile', async () => {
    await fallbackOnly(async ({ url, wakeups, slow, delivered }) => {
      await slow.query('BEGIN');
      await slow.query(insertSql([[hexId(1), 'x']]));
      // Rounds go by while later rows commit: the floor must not pass the open transaction's seq.
      for (let round = 0; round < 4; round++) {
        await onOwnConnection(url, (client) => client.query(insertSql([[hexId(100 + round), 'x']])));
        await wakeups.pollNow();
      }
      expect(delivered).toEqual([hexId(100), hexId(101), hexId(102), hexId(103)]);
      await slow.query('COMMIT'); // and its NOTIFY never comes
      await wakeups.pollNow();
      expect(delivered).toEqual([hexId(100), hexId(101), hexId(102), hexId(103), hexId(1)]);
      // Once it has committed, the floor moves on: a round later nothing is read again.
      await wakeups.pollNow();
      const read = wakeups.rowsRead;
      await wakeups.pollNow();
      expect(wakeups.rowsRead).toBe(read);
    });
  });

  test("an older replica's notification (ids without recipients) is read whoever the messages are to", async () => {
    const url = await freshPostgresUrl();
    const b = await open({ url });
    await listening(b);
    const forWaiter: Message[] = [];
    b.onMessage((message) => forWaiter.push(message), 'waiter');
    // A row for an agent nobody here waits for, announced as an older replica did: polling never
    // reads it (it reads only the waiter's rows), so a row read is the notification's.
    await onOwnConnection(url, async (client) => {
      await client.query(insertSql([[hexId(7), 'elsewhere']]));
      await client.query('SELECT pg_notify($1, $2)', [await channel(client), `0ldrep1ica:${hexId(7)}`]);
    });
    await until(async () => (await rowsRead(b)) === 1);
    // And one for the waiter: it wakes.
    await onOwnConnection(url, async (client) => {
      await client.query(insertSql([[hexId(8), 'waiter']]));
      await client.query('SELECT pg_notify($1, $2)', [await channel(client), `0ldrep1ica:${hexId(8)}`]);
    });
    await until(async () => forWaiter.length > 0);
    expect(forWaiter).toMatchObject([{ id: hexId(8), to: 'waiter' }]);
  });

  test('stores sweeping at once each hand an expired lease back exactly once', async () => {
    const url = await freshPostgresUrl();
    let now = Date.parse('2026-01-01T00:00:00Z');
    const stores = await Promise.all(Array.from({ length: 4 }, () => open({ url, now: () => now })));
    const first = stores[0]!;
    await first.sendBatch(Array.from({ length: 50 }, (_, i) => SendInput.parse({ from: 'x', to: `w-${i % 5}` })));
    for (let i = 0; i < 5; i++) await first.lease({ agent: `w-${i}`, limit: 10, leaseSeconds: 10 });
    now += 60_000;
    await Promise.all(stores.flatMap((store) => [store.sweep(), store.sweep()]));
    await Promise.all(stores.map((store) => store.sweep()));
    const expired = await first.audit({ limit: 500, event: 'lease_expired' });
    expect(expired.items).toHaveLength(50);
    const again = await Promise.all(
      Array.from({ length: 5 }, (_, i) => first.lease({ agent: `w-${i}`, limit: 20, leaseSeconds: 10 })),
    );
    expect(again.flat().map((d) => d.message.attempts)).toEqual(Array(50).fill(2));
  });

  test('a store with a pool of one connection still sweeps (its lock and its work need two)', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const store = await open({ url: await freshPostgresUrl(), poolSize: 1, now: () => now });
    await store.send(SendInput.parse({ from: 'x', to: 'solo' }));
    await store.lease({ agent: 'solo', limit: 1, leaseSeconds: 10 });
    now += 60_000;
    await store.sweep();
    expect((await store.audit({ limit: 10, event: 'lease_expired' })).items).toHaveLength(1);
  });

  test('a listening connection that went dark without a reset is noticed, and listening starts again on a new one', async () => {
    const proxy = await darkenableProxy(new URL(await freshPostgresUrl()));
    const notified: string[] = [];
    let listened = 0;
    const connection = new PgListenConnection({
      url: proxy.url,
      onNotification: (payload) => notified.push(payload),
      onListening: () => {
        listened += 1;
      },
      check: { everyMs: 100, timeoutMs: 300 },
    });
    try {
      connection.start();
      while (listened === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      await connection.notify(['before']);
      while (!notified.includes('before')) await new Promise((resolve) => setTimeout(resolve, 10));
      // The path under the connection dies silently; a new connection gets through.
      proxy.darkenOpen();
      while (connection.listening) await new Promise((resolve) => setTimeout(resolve, 10));
      while (listened < 2) await new Promise((resolve) => setTimeout(resolve, 10));
      await connection.notify(['after']);
      while (!notified.includes('after')) await new Promise((resolve) => setTimeout(resolve, 10));
    } finally {
      await connection.close();
      proxy.close();
    }
  });
});

describe('pgOperation', () => {
  test('runs a transaction again after a deadlock or serialization failure, a bounded number of times', async () => {
    let calls = 0;
    const flaky = async () => {
      calls += 1;
      if (calls < 3) throw Object.assign(new Error('deadlock detected'), { code: calls === 1 ? '40P01' : '40001' });
      return 'done';
    };
    expect(await pgOperation(flaky)).toBe('done');
    expect(calls).toBe(3);

    calls = 0;
    const error = await pgOperation(async () => {
      calls += 1;
      throw Object.assign(new Error('deadlock detected'), { code: '40P01' });
    }).catch((e: unknown) => e);
    expect(calls).toBe(4);
    expect((error as { code?: string }).code).toBe('40P01');
  });

  test('turns a lost or refused connection into unavailable and leaves other errors alone', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    const lost = await pgOperation(() => Promise.reject(refused)).catch((e: unknown) => e);
    expect(isFleetError(lost) && lost.code).toBe('unavailable');
    expect((lost as Error).cause).toBe(refused);
    const terminated = new Error('Connection terminated unexpectedly');
    expect(
      await pgOperation(() => Promise.reject(terminated)).catch((e: unknown) => (e as { code?: string }).code),
    ).toBe('unavailable');
    const syntax = Object.assign(new Error('syntax error'), { code: '42601' });
    expect(await pgOperation(() => Promise.reject(syntax)).catch((e: unknown) => e)).toBe(syntax);
  });
});
