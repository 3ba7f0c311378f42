import pg from 'pg';
import { loadPostgresHarness } from './_postgres.mjs';

const json = process.argv.includes('--json');
const connections = Number(process.env.BENCH_CONNECTIONS ?? 16);
const seconds = Number(process.env.BENCH_SECONDS ?? 8);
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
}
