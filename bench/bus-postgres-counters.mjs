// Queue counters on PostgreSQL, the design question behind the bus's insert-only delta rows: durable
// transactions per second when every insert for one hot recipient also keeps a count, as a delta row
// per transaction or as an update of one counter row, against the same inserts with no counter (the
// baseline), in the same run on the same cluster.
//
//   node bench/bus-postgres-counters.mjs            # about a minute
//   node bench/bus-postgres-counters.mjs --json
//   BENCH_CONNECTIONS=16 BENCH_SECONDS=8 node bench/bus-postgres-counters.mjs
//
// One throwaway cluster (@fleet/test-utils/postgres) with fsync, synchronous_commit and
// full_page_writes on (commits as durable as production's), tables of its own (not the bus's).
// Each variant: BENCH_CONNECTIONS clients in loops of BEGIN, insert, the counter's statement, COMMIT
// for BENCH_SECONDS, after an unmeasured run as long; transactions per second over the elapsed time
// (until the last transaction begun before the deadline has committed), and each variant's ratio to
// the baseline. No target: it compares designs. Ctrl-C or SIGTERM stops the cluster.
import pg from 'pg';
import { benchArgs, envNumber } from './_args.mjs';
import { cleanUpOnExit } from './_clean-up.mjs';
import { loadPostgresHarness } from './_postgres.mjs';

const { json } = benchArgs(import.meta.url, { flags: ['json'] });
// The cluster allows 200 connections; the admin client takes one more.
const connections = envNumber('BENCH_CONNECTIONS', 16, { integer: true });
const seconds = envNumber('BENCH_SECONDS', 8);
if (connections > 190) {
  console.error(`BENCH_CONNECTIONS must be at most 190 (the cluster allows 200), not ${connections}`);
  process.exit(2);
}
const log = (line) => {
  if (!json) console.error(line);
};

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
  const started = performance.now();
  const deadline = started + seconds * 1000;
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
  // Over the time taken, not the nominal seconds: the transactions begun before the deadline commit after it.
  const elapsed = (performance.now() - started) / 1000;
  await Promise.all(clients.map((client) => client.end()));
  return Math.round(done / elapsed);
}

let cluster;
const rates = {};
/** Stops the cluster, once (the normal end, an error, or Ctrl-C: the clients' sessions are cut). */
const cleanUp = cleanUpOnExit(() => cluster?.stop());
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
  await cleanUp();
}
