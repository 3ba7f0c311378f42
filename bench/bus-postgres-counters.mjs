// Why PostgresMessageStore keeps its queue counters as insert-only delta rows: the write throughput
// of short transactions that each insert a message for ONE recipient and change its counters,
// (a) by adding a row to queue_count_deltas (what the store does), (b) by updating that recipient's
// single counter row (a hot row: each transaction holds its lock until COMMIT), (c) with no counter
// at all (the baseline), on the same cluster in the same run. Durable commits (fsync on,
// synchronous_commit on), as a production database runs; a throwaway cluster of
// @fleet/test-utils/postgres.
//
//   node bench/bus-postgres-counters.mjs            # about 1 minute
//   BENCH_CONNECTIONS=32 BENCH_SECONDS=10 node bench/bus-postgres-counters.mjs --json
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';

const json = process.argv.includes('--json');
const connections = Number(process.env.BENCH_CONNECTIONS ?? 16);
const seconds = Number(process.env.BENCH_SECONDS ?? 8);
const here = fileURLToPath(new URL('.', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'fleet-bench-counters-'));
const log = (line) => {
  if (!json) console.error(line);
};

/** `startPostgres` of `@fleet/test-utils/postgres` (TypeScript, never built), bundled with esbuild. */
async function loadPostgresHarness() {
  const { build } = await import('esbuild');
  const outfile = join(dir, 'postgres-harness.mjs');
  await build({
    entryPoints: [join(here, '../packages/test-utils/src/postgres.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    logLevel: 'error',
  });
  const harness = await import(pathToFileURL(outfile).href);
  if (!harness.hasPostgres()) process.exit(1);
  return harness;
}

const SCHEMA = `
CREATE TABLE m (seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, recipient text NOT NULL, payload json NOT NULL);
CREATE TABLE deltas (recipient text NOT NULL, ready integer NOT NULL);
CREATE TABLE counts (recipient text PRIMARY KEY, ready integer NOT NULL);
INSERT INTO counts VALUES ('hot', 0);`;

const INSERT = `INSERT INTO m (recipient, payload) VALUES ('hot', '{"n":1}')`;
const VARIANTS = {
  'no counter (baseline)': [],
  'delta row per transaction': [`INSERT INTO deltas VALUES ('hot', 1)`],
  'one counter row per recipient': [`UPDATE counts SET ready = ready + 1 WHERE recipient = 'hot'`],
};

async function run(url, statements) {
  const clients = await Promise.all(
    Array.from({ length: connections }, async () => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      return client;
    }),
  );
  let done = 0;
  const deadline = performance.now() + seconds * 1000;
  await Promise.all(
    clients.map(async (client) => {
      while (performance.now() < deadline) {
        await client.query('BEGIN');
        await client.query(INSERT);
        for (const sql of statements) await client.query(sql);
        await client.query('COMMIT');
        done += 1;
      }
    }),
  );
  await Promise.all(clients.map((client) => client.end()));
  return Math.round(done / seconds);
}

let cluster;
const rates = {};
try {
  const harness = await loadPostgresHarness();
  cluster = await harness.startPostgres({
    settings: { fsync: 'on', synchronous_commit: 'on', full_page_writes: 'on', max_connections: '200' },
  });
  const url = await cluster.createDatabase('counters');
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(SCHEMA);
  for (const [name, statements] of Object.entries(VARIANTS)) {
    await run(url, statements); // warm-up
    rates[name] = await run(url, statements);
    log(`${name}: ${rates[name]} transactions/s`);
  }
  const [{ delta, hot }] = (
    await admin.query(`SELECT (SELECT sum(ready) FROM deltas)::int AS delta, (SELECT ready FROM counts) AS hot`)
  ).rows;
  await admin.end();
  const baseline = rates['no counter (baseline)'];
  const summary = {
    connections,
    seconds,
    transactionsPerSecond: rates,
    ratioToBaseline: Object.fromEntries(
      Object.entries(rates).map(([name, rate]) => [name, Math.round((rate / baseline) * 100) / 100]),
    ),
    counted: { delta, hot },
  };
  if (json) console.log(JSON.stringify(summary, null, 2));
  else {
    console.table(
      Object.fromEntries(
        Object.entries(rates).map(([name, rate]) => [
          name,
          { 'transactions/s': rate, 'of baseline': summary.ratioToBaseline[name] },
        ]),
      ),
    );
    console.log(`${connections} connections writing for one recipient, ${seconds} s each, durable commits`);
  }
} finally {
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
}
