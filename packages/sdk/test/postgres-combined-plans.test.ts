import { hasPostgres } from '@fleet/test-utils/postgres';
import type pg from 'pg';
import { afterEach, describe, expect, test } from 'vitest';
import { buildCombinedStatement, COMBINED_STATEMENT_SETTINGS } from '../src/bus/postgres/combined-statement.ts';
import { planPlainSends } from '../src/bus/postgres/one-statement-send.ts';
import { PostgresMessageStore } from '../src/bus/postgres-store.ts';
import { createPool, queryWithSettings } from '../src/internal/pg-driver.ts';
import { SendInput } from '../src/schemas/message.ts';
import { freshPostgresUrl } from './_stores.ts';

// The combined statements (postgres/combined-statement.ts) run with generic plans only, built once
// per connection from the statistics of that moment: these tests check the settings reach every
// connection, and that the generic plan of a statement with every kind of part uses indexes even
// when it is made while the tables look empty (the moment a real replica prepares it).

const pools: pg.Pool[] = [];

afterEach(async () => {
  for (const pool of pools.splice(0)) await pool.end();
});

function poolFor(url: string): pg.Pool {
  const pool = createPool({ url, max: 2, applicationName: 'fleet-test' });
  pools.push(pool);
  return pool;
}

describe.skipIf(!hasPostgres())('PostgresMessageStore: the plans of the combined statements', () => {
  test('every connection the combined statements use has their settings', async () => {
    const pool = poolFor(await freshPostgresUrl());
    const query = queryWithSettings(pool, COMBINED_STATEMENT_SETTINGS);
    const read = async () =>
      (
        await query({
          text: `SELECT current_setting('plan_cache_mode') AS plan_cache_mode,
            current_setting('enable_seqscan') AS enable_seqscan, current_setting('jit') AS jit,
            current_setting('search_path') AS search_path, pg_sleep(0.05)::text AS slept`,
        })
      ).rows[0] as Record<string, string>;
    // Two at once take both connections; the third reuses one.
    const rows = [...(await Promise.all([read(), read()])), await read()];
    for (const row of rows) {
      expect(row).toMatchObject(COMBINED_STATEMENT_SETTINGS);
      // The URL's own options (the test's schema) are kept.
      expect(row.search_path).toMatch(/^store_\d+$/);
    }
    expect(pool.totalCount).toBe(2);
  });

  test('a connection killed mid-query fails that query, and the next one runs on a fresh connection with the settings', async () => {
    const url = await freshPostgresUrl();
    const pool = poolFor(url);
    const query = queryWithSettings(pool, COMBINED_STATEMENT_SETTINGS);
    const { rows } = await query({ text: 'SELECT pg_backend_pid() AS pid' });
    const admin = poolFor(url);
    const sleeping = query({ text: 'SELECT pg_sleep(5)' });
    await expect
      .poll(
        async () => (await admin.query(`SELECT 1 FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(5)'`)).rowCount,
      )
      .toBe(1);
    // Expect the failure before causing it: the killed connection's error may arrive before the
    // answer to pg_terminate_backend, and a rejection nobody handles yet fails the run.
    const sleepingFails = expect(sleeping).rejects.toThrow(/terminat/);
    await admin.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
    await sleepingFails;
    const after = await query({ text: `SELECT current_setting('plan_cache_mode') AS mode, pg_backend_pid() AS pid` });
    expect(after.rows[0]).toMatchObject({ mode: 'force_generic_plan' });
    expect(after.rows[0]!.pid).not.toBe(rows[0]!.pid);
  });

  test('a stale ack does not wait for a row another transaction holds; a valid one does', async () => {
    const url = await freshPostgresUrl();
    const store = await PostgresMessageStore.open({ url, poolSize: 4 });
    try {
      await store.send(SendInput.parse({ from: 'a', to: 'b', payload: 1 }));
      const [delivery] = await store.lease({ agent: 'b', limit: 1, leaseSeconds: 60 });
      const [id] = delivery!.receipt.split('~');
      const pool = poolFor(url);
      const holder = await pool.connect();
      const probe = await pool.connect();
      try {
        await holder.query('BEGIN');
        await holder.query('SELECT 1 FROM messages WHERE id = $1 FOR UPDATE', [id]);
        for (const [name, value] of Object.entries(COMBINED_STATEMENT_SETTINGS)) {
          await probe.query(`SET ${name} = ${value}`);
        }
        // Waiting would fail the statement here instead of hanging the test.
        await probe.query(`SET lock_timeout = '1s'`);
        const ack = (receipt: string) => {
          const now = Date.now();
          return buildCombinedStatement([{ kind: 'ack', receipts: [receipt], now }], now, [], undefined);
        };

        const stale = ack(`${id}~not-the-token`);
        const { rows } = await probe.query({ text: stale.text, values: stale.values });
        expect(stale.outcomes(rows[0]!)).toEqual([undefined]);

        const valid = ack(delivery!.receipt);
        await expect(probe.query({ text: valid.text, values: valid.values })).rejects.toThrow(/lock timeout/);
      } finally {
        await holder.query('ROLLBACK');
        holder.release();
        probe.release(true);
      }
      // Nothing was deleted: the valid receipt still acks.
      expect(await store.ack([delivery!.receipt])).toBe(1);
    } finally {
      await store.close();
    }
  });

  test('settings that are not plain words are refused', () => {
    const pool = createPool({ url: 'postgres://localhost/none', max: 1, applicationName: 'fleet-test' });
    pools.push(pool);
    expect(() => queryWithSettings(pool, { search_path: 'x; DROP TABLE messages' })).toThrow(/unsupported setting/);
  });

  test('a send, a lease and an ack in one statement look every row up by an index, planned on empty tables', async () => {
    const url = await freshPostgresUrl();
    const store = await PostgresMessageStore.open({ url, poolSize: 4 });
    await store.close();
    const pool = poolFor(url);
    // Statistics that say every table is empty: the plan a fresh bus prepares first.
    await pool.query('ANALYZE');
    const now = Date.now();
    const plan = planPlainSends([SendInput.parse({ from: 'a', to: 'b', payload: { n: 1 } })], now, 300);
    const statement = buildCombinedStatement(
      [
        { kind: 'send', plan, now },
        { kind: 'lease', request: { agent: 'b', limit: 5, leaseSeconds: 30 }, now },
        { kind: 'ack', receipts: ['0123~token'], now },
      ],
      now,
      ['a', 'b'],
      { channel: 'fleet_bus_test', payloads: ['x'] },
    );
    const client = await pool.connect();
    try {
      for (const [name, value] of Object.entries(COMBINED_STATEMENT_SETTINGS)) {
        await client.query(`SET ${name} = ${value}`);
      }
      await client.query(`PREPARE probe AS ${statement.text}`);
      const nulls = statement.values.map(() => 'NULL').join(', ');
      const { rows } = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN EXECUTE probe(${nulls})`);
      const lines = rows.map((row) => row['QUERY PLAN']).join('\n');
      expect(lines).not.toMatch(/Seq Scan/);
      // The ack's lookup goes by id and its lock by primary key, never by walking the leases in flight.
      const ack = lines.slice(lines.indexOf('CTE ack_matched'), lines.indexOf('CTE ack_gone'));
      expect(ack).toMatch(/Index Scan using messages_id_key/);
      expect(ack).toMatch(/Index Scan using messages_pkey/);
      expect(ack).not.toMatch(/messages_leases/);
    } finally {
      client.release(true);
    }
  });
});
