// Table bloat of the bus on PostgreSQL: the size, live and dead rows of its tables, sampled while a
// sustained load runs with a short audit retention, to see whether they level off.
//
//   npm run build && node bench/bus-postgres-bloat.mjs   # about 3 minutes
//   node bench/bus-postgres-bloat.mjs --json
//   node bench/bus-postgres-bloat.mjs --tune             # per-table autovacuum settings being tried
//   BENCH_SECONDS=60 BENCH_REPORT_SECONDS=10 BENCH_AUDIT_SECONDS=20 BENCH_WORKERS=8 BENCH_BATCH=10 \
//     BENCH_BACKLOG=10000 node bench/bus-postgres-bloat.mjs   # BENCH_BACKLOG may be 0
//
// A diagnostic measurement, with no baseline and no target: what it reports is a trend of Fleet's own
// tables over time (growth, then a plateau once retention and autovacuum keep up), which no other
// system run beside it would make clearer. The figure to read is each table's growth over the second
// half of the run (last sample / middle sample): near 1 once they have levelled off.
//
// One throwaway cluster (@fleet/test-utils/postgres, autovacuum_naptime 1 s), two PostgresMessageStore
// instances in this process on one database, a backlog of BENCH_BACKLOG messages over 20 agents, then
// BENCH_WORKERS loops per store of sendBatch (BENCH_BATCH messages), lease and ack, a sweep a second per
// store (audit kept BENCH_AUDIT_SECONDS), and the tables' sizes every BENCH_REPORT_SECONDS. Ctrl-C or
// SIGTERM closes the stores and stops the cluster.
import { PostgresMessageStore } from '@fleet/sdk/stores';
import pg from 'pg';
import { benchArgs, envNumber } from './_args.mjs';
import { cleanUpOnExit } from './_clean-up.mjs';
import { loadPostgresHarness } from './_postgres.mjs';

const { json, tune } = benchArgs(import.meta.url, { flags: ['json', 'tune'] });
const seconds = envNumber('BENCH_SECONDS', 180);
const reportEvery = envNumber('BENCH_REPORT_SECONDS', 15);
const auditSeconds = envNumber('BENCH_AUDIT_SECONDS', 20, { integer: true });
const workers = envNumber('BENCH_WORKERS', 8, { integer: true });
const batch = envNumber('BENCH_BATCH', 10, { integer: true });
const backlog = envNumber('BENCH_BACKLOG', 10_000, { integer: true, zero: true });
const agents = Array.from({ length: 20 }, (_, i) => `agent-${String(i).padStart(2, '0')}`);
const log = (line) => {
  if (!json) console.error(line);
};
log(
  'diagnostic measurement (no baseline, no target): table sizes over time under a sustained load, to see them level off',
);

const message = (to, n) => ({
  from: 'bench',
  to,
  payload: { n, text: 'x'.repeat(100) },
  type: 'message',
  priority: 0,
  delaySeconds: 0,
  ttlSeconds: null,
  idempotencyKey: null,
});

const TABLES = ['messages', 'audit', 'queue_count_deltas', 'idempotency_keys'];

/** Size of each table (total, indexes), its live and dead rows, in MB and rows. */
async function sizes(client) {
  const { rows } = await client.query(
    `SELECT c.relname AS table, pg_total_relation_size(c.oid) AS total, pg_indexes_size(c.oid) AS indexes,
        s.n_live_tup AS live, s.n_dead_tup AS dead, s.autovacuum_count AS autovacuums
      FROM pg_class c JOIN pg_stat_user_tables s ON s.relid = c.oid WHERE c.relname = ANY($1)`,
    [TABLES],
  );
  const mb = (bytes) => Math.round((Number(bytes) / 1024 / 1024) * 100) / 100;
  return Object.fromEntries(
    TABLES.map((table) => {
      const row = rows.find((r) => r.table === table);
      return [
        table,
        {
          totalMB: mb(row.total),
          indexesMB: mb(row.indexes),
          live: Number(row.live),
          dead: Number(row.dead),
          autovacuums: Number(row.autovacuums),
        },
      ];
    }),
  );
}

let cluster;
const stores = [];
const samples = [];
let lifecycles = 0;
/** Closes the stores (at most 5 s: a loop may hold a connection) and stops the cluster, once. */
const cleanUp = cleanUpOnExit(async () => {
  const closed = Promise.allSettled(stores.map((store) => store.close()));
  await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
  await cluster?.stop();
});
try {
  const harness = await loadPostgresHarness();
  // Default autovacuum settings but a 1-second nap, as a tuned production server would have.
  cluster = await harness.startPostgres({ settings: { shared_buffers: '256MB', autovacuum_naptime: '1s' } });
  const url = await cluster.createDatabase('bloat');
  for (let i = 0; i < 2; i++) {
    stores.push(await PostgresMessageStore.open({ url, poolSize: workers + 2, auditMaxAgeSeconds: auditSeconds }));
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  if (tune) {
    // Candidate per-table settings: vacuum unthrottled and after a fixed number of dead rows.
    for (const table of ['messages', 'audit', 'queue_count_deltas']) {
      await client.query(`ALTER TABLE ${table} SET (autovacuum_vacuum_cost_delay = 0,
        autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 5000,
        autovacuum_vacuum_insert_scale_factor = 0, autovacuum_vacuum_insert_threshold = 5000)`);
    }
  }
  for (let sent = 0; sent < backlog; sent += 1000) {
    await stores[0].sendBatch(
      Array.from({ length: Math.min(1000, backlog - sent) }, (_, i) => message(agents[i % agents.length], i)),
    );
  }
  log(`load for ${seconds} s: ${workers} workers x 2 stores, batches of ${batch}, audit kept ${auditSeconds} s`);
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const worker = async (store, w) => {
    let n = 0;
    while (performance.now() < deadline) {
      const agent = agents[(w + n++) % agents.length];
      await store.sendBatch(Array.from({ length: batch }, (_, i) => message(agent, n * batch + i)));
      const leased = await store.lease({ agent, limit: batch, leaseSeconds: 60 });
      if (leased.length > 0) await store.ack(leased.map((d) => d.receipt));
      lifecycles += leased.length;
    }
  };
  const sweeper = async (store) => {
    while (performance.now() < deadline) {
      await store.sweep();
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  };
  const reporter = async () => {
    let last = 0;
    let at = started;
    while (performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, reportEvery * 1000));
      const now = performance.now();
      const sample = {
        second: Math.round((now - started) / 1000),
        lifecyclesPerSecond: Math.round((lifecycles - last) / ((now - at) / 1000)),
        ...(await sizes(client)),
      };
      last = lifecycles;
      at = now;
      samples.push(sample);
      log(
        `${String(sample.second).padStart(4)} s  ${String(sample.lifecyclesPerSecond).padStart(5)}/s  ` +
          TABLES.map((t) => `${t} ${sample[t].totalMB} MB (idx ${sample[t].indexesMB}, dead ${sample[t].dead})`).join(
            '  ',
          ),
      );
    }
  };
  await Promise.all([
    ...stores.flatMap((store) => Array.from({ length: workers }, (_, w) => worker(store, w))),
    ...stores.map(sweeper),
    reporter(),
  ]);
  const elapsed = (performance.now() - started) / 1000;
  // What retention and autovacuum make of it once the load stops: two more sweeps, a pause.
  for (const store of stores) await store.sweep();
  await new Promise((resolve) => setTimeout(resolve, 5000));
  const end = await sizes(client);
  await client.end();
  // Last sample over the middle one: near 1 once a table has levelled off (null with under 3 samples).
  const middle = samples[Math.floor((samples.length - 1) / 2)];
  const last = samples.at(-1);
  const growth = (t) =>
    samples.length >= 3 && middle[t].totalMB > 0 ? Math.round((last[t].totalMB / middle[t].totalMB) * 100) / 100 : null;
  const summary = {
    diagnostic: true,
    seconds,
    auditRetentionSeconds: auditSeconds,
    lifecycles,
    lifecyclesPerSecond: Math.round(lifecycles / elapsed),
    first: samples[0],
    peak: Object.fromEntries(TABLES.map((t) => [t, Math.max(...samples.map((s) => s[t].totalMB))])),
    growthSecondHalf: Object.fromEntries(TABLES.map((t) => [t, growth(t)])),
    end,
  };
  if (json) console.log(JSON.stringify({ ...summary, samples }, null, 2));
  else {
    console.table(
      Object.fromEntries(
        TABLES.map((t) => [
          t,
          {
            'first sample MB': summary.first?.[t].totalMB,
            'peak MB': summary.peak[t],
            'growth, 2nd half': summary.growthSecondHalf[t] ?? '-',
            'end MB': end[t].totalMB,
            'end indexes MB': end[t].indexesMB,
            'end live rows': end[t].live,
            'end dead rows': end[t].dead,
          },
        ]),
      ),
    );
    console.log(
      `${lifecycles} send/lease/ack lifecycles in ${Math.round(elapsed)} s (${summary.lifecyclesPerSecond}/s)`,
    );
  }
} finally {
  await cleanUp();
}
