import { PostgresMessageStore } from '@fleet/sdk/stores';
import pg from 'pg';
import { loadPostgresHarness } from './_postgres.mjs';

const json = process.argv.includes('--json');
const tune = process.argv.includes('--tune');
const seconds = Number(process.env.BENCH_SECONDS ?? 180);
const reportEvery = Number(process.env.BENCH_REPORT_SECONDS ?? 15);
const auditSeconds = Number(process.env.BENCH_AUDIT_SECONDS ?? 20);
const workers = Number(process.env.BENCH_WORKERS ?? 8);
const batch = Number(process.env.BENCH_BATCH ?? 10);
const backlog = Number(process.env.BENCH_BACKLOG ?? 10_000);
const agents = Array.from({ length: 20 }, (_, i) => `agent-${String(i).padStart(2, '0')}`);
const log = (line) => {
  if (!json) console.error(line);
};

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
  const summary = {
    seconds,
    auditRetentionSeconds: auditSeconds,
    lifecycles,
    lifecyclesPerSecond: Math.round(lifecycles / elapsed),
    first: samples[0],
    peak: Object.fromEntries(TABLES.map((t) => [t, Math.max(...samples.map((s) => s[t].totalMB))])),
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
  for (const store of stores) await store.close();
  await cluster?.stop();
}
