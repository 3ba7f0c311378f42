import { darkenableProxy } from '@fleet/test-utils/dark-proxy';
import { hasPostgres, startPostgres, type TestPostgres } from '@fleet/test-utils/postgres';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { PgWakeups } from '../src/bus/postgres/wakeups.ts';
import { PostgresMessageStore } from '../src/bus/postgres-store.ts';
import { FleetError } from '../src/errors.ts';
import { createPool } from '../src/internal/pg-driver.ts';
import { SendInput } from '../src/schemas/message.ts';

// The wakeups' starting point when the database is away as a replica starts (`fleet-bus server`
// constructs its store without waiting for `open()`): what other replicas commit after the
// construction still reaches its listeners, although their notifications are lost.

/** Resolves once `condition` holds, looking every 20 ms; rejects after `ms`. */
async function until(condition: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Inserts a ready message for `to`, committed with no NOTIFY, created `agoMs` before now on the database's clock. */
async function insertUnannounced(url: string, id: string, to: string, agoMs: number): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(
      `INSERT INTO messages (id, sender, recipient, topic, type, payload, priority, created_at, available_at,
        expires_at, attempts, idempotency_key, state)
      SELECT $1, 'ghost', $2, NULL, 'message', '{"n":1}', 0, t, t, NULL, 0, NULL, 'ready'
      FROM (SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint - $3::bigint AS t) AS now`,
      [id, to, agoMs],
    );
  } finally {
    await client.end();
  }
}

describe.skipIf(!hasPostgres())('PostgreSQL wakeups of a replica started while the database was away', () => {
  let server: TestPostgres;
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(() => server?.kill());

  test('the first round that reaches the database reads what was committed since the start, not what was before', async () => {
    const url = await server.createDatabase();
    await (await PostgresMessageStore.open({ url, poolSize: 1 })).close(); // the schema
    await insertUnannounced(url, 'a'.repeat(32), 'x', 60_000); // long before the start
    const pool = createPool({ url, max: 2, applicationName: 'fleet-bus' }); // the store's (bigints as numbers)
    let away = true;
    const delivered: string[] = [];
    const wakeups = new PgWakeups({
      url,
      pool: async () => {
        if (away) throw new FleetError('unavailable', 'the database is away');
        return pool;
      },
      listeners: { size: 1, listensFor: (agent) => agent === 'x', agents: () => ['x'] },
      deliver: (message) => delivered.push(message.id),
    });
    try {
      wakeups.start();
      await wakeups.started; // its starting point could not be read
      // Another replica's send, committed meanwhile, whose NOTIFY never came.
      await insertUnannounced(url, 'b'.repeat(32), 'x', 0);
      away = false;
      await wakeups.pollNow();
      expect(delivered).toEqual(['b'.repeat(32)]);
      await insertUnannounced(url, 'c'.repeat(32), 'x', 0);
      await wakeups.pollNow();
      expect(delivered).toEqual(['b'.repeat(32), 'c'.repeat(32)]);
    } finally {
      await wakeups.close();
      await pool.end();
    }
  });

  test("stores constructed while PostgreSQL is down: what one sends once it is up reaches the other's stream", async () => {
    const url = await server.createDatabase();
    await server.stop();
    const gate = await darkenableProxy(new URL(url));
    gate.refuse(); // b reaches the database only once it admits
    const a = new PostgresMessageStore({ url, poolSize: 2 });
    const b = new PostgresMessageStore({ url: gate.url, poolSize: 2 });
    try {
      const streamed: string[] = [];
      b.onMessage((message) => streamed.push(message.id), 'w'); // what `GET /stream?agent=w` on b listens to
      await expect(b.stats()).rejects.toMatchObject({ code: 'unavailable' });
      await server.start();
      // Committed before b's first round reaches the database, its NOTIFY lost on b's way there.
      const id = (await a.send(SendInput.parse({ from: 'x', to: 'w', payload: 1 }))).messages[0]!.id;
      gate.admit();
      await until(() => streamed.length > 0, 2500);
      expect(streamed).toEqual([id]);
      expect((await b.lease({ agent: 'w', limit: 1, leaseSeconds: 30 })).map((d) => d.message.id)).toEqual([id]);
    } finally {
      await Promise.all([a.close(), b.close()]);
      gate.close();
    }
  });
});
