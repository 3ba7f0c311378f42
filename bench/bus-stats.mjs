// Queue stats benchmark: GET /queue with 1,000,000 messages queued, from the per-recipient counters,
// against the scan it replaced (the three statements stats() ran before schema version 2), on the
// same file in the same run (the bus is stopped before the scan is timed).
//
//   npm run build && node bench/bus-stats.mjs   # about 2 minutes, most of it filling the queue
//   node bench/bus-stats.mjs --json
//   BENCH_MESSAGES=100000 node bench/bus-stats.mjs
//   node bench/bus-stats.mjs --postgres         # the same on PostgresMessageStore: a throwaway cluster
//                                               # (@fleet/test-utils/postgres), the scan is the statement
//                                               # stats() ran before schema version 2
//
// The queue: BENCH_MESSAGES messages over 20 recipients, 5% of them delayed by an hour, 1% leased,
// about 0.2% dead letters (a TTL that ran out, swept). The bus is pinned to core 0 and this process
// to core 1 when taskset can. The figures are the median and p99 of sequential calls. Target (a
// missed one exits with 1, as do totals that differ from the scan's): GET /queue's median < 10 ms.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PostgresMessageStore, SqliteMessageStore } from '@fleet/sdk/stores';
import Database from 'better-sqlite3';
import pg from 'pg';
import { benchArgs, envNumber } from './_args.mjs';
import { judge } from './_checks.mjs';
import { cleanUpOnExit, stopServer } from './_clean-up.mjs';
import { canPinCores, median, percentile, pinSelf, startServer } from './_lib.mjs';
import { loadPostgresHarness } from './_postgres.mjs';

const { json, postgres } = benchArgs(import.meta.url, { flags: ['json', 'postgres'] });
const total = envNumber('BENCH_MESSAGES', 1_000_000, { integer: true });
const calls = envNumber('BENCH_CALLS', 50, { integer: true });
const agents = Array.from({ length: 20 }, (_, i) => `agent-${String(i).padStart(2, '0')}`);
const here = fileURLToPath(new URL('.', import.meta.url));
const busBin = join(here, '../packages/bus-server/bin/fleet-bus.js');
const dir = mkdtempSync(join(tmpdir(), 'fleet-bench-stats-'));
const db = join(dir, 'bus.db');
const log = (line) => {
  if (!json) console.error(line);
};

const canPin = canPinCores();
if (canPin) pinSelf(1);

const message = (to, extra = {}) => ({
  from: 'bench',
  to,
  payload: { n: 1 },
  type: 'message',
  priority: 0,
  delaySeconds: 0,
  ttlSeconds: null,
  idempotencyKey: null,
  ...extra,
});

/** The database the bus opens: the SQLite file, or a database of a throwaway PostgreSQL cluster. */
let target = db;
let cluster;

async function fill() {
  const store = postgres
    ? await PostgresMessageStore.open({ url: target, poolSize: 4 })
    : new SqliteMessageStore({ path: db });
  const batchSize = 1000;
  const started = performance.now();
  for (let sent = 0; sent < total; sent += batchSize) {
    const batch = Array.from({ length: Math.min(batchSize, total - sent) }, (_, i) => {
      const n = sent + i;
      const to = agents[n % agents.length];
      if (n % 20 === 7) return message(to, { delaySeconds: 3600 });
      if (n % 500 === 3) return message(to, { ttlSeconds: 0.001 });
      return message(to);
    });
    await store.sendBatch(batch);
  }
  // The TTLs run out; the sweep dead-letters them.
  await new Promise((resolve) => setTimeout(resolve, 5));
  await store.sweep();
  const perAgent = Math.floor(total / 100 / agents.length);
  for (const agent of agents) {
    for (let leased = 0; leased < perAgent; leased += 100) {
      await store.lease({ agent, limit: Math.min(100, perAgent - leased), leaseSeconds: 3600 });
    }
  }
  const stats = await store.stats();
  await store.close();
  log(`filled ${total} messages in ${Math.round(performance.now() - started)} ms: ${JSON.stringify(stats.totals)}`);
  return stats.totals;
}

/**
 * The statements stats() ran before the counters (packages/sdk/src/bus/sqlite/recount.ts
 * scanQueueStats), on the index the first one read then: version 1's messages_ready held every ready
 * row, delayed ones included, and `connection` builds it again first.
 */
function scanStats(connection) {
  connection.exec(`CREATE INDEX IF NOT EXISTS messages_ready_v1
    ON messages (recipient, priority DESC, seq, available_at, expires_at, created_at) WHERE state = 'ready'`);
  const deliverable = `state = 'ready' AND available_at <= @now AND (expires_at IS NULL OR expires_at > @now)`;
  const ready = connection.prepare(
    `SELECT recipient AS agent, total(${deliverable}) AS ready,
        total(available_at > @now AND (expires_at IS NULL OR expires_at > @now)) AS delayed,
        min(CASE WHEN ${deliverable} THEN created_at END) AS oldest
      FROM messages INDEXED BY messages_ready_v1 WHERE state = 'ready' GROUP BY recipient`,
  );
  const inFlight = connection.prepare(
    `SELECT recipient AS agent, count(*) AS count FROM messages INDEXED BY messages_leases
      WHERE state = 'in_flight' GROUP BY recipient`,
  );
  const dead = connection.prepare(
    `SELECT recipient AS agent, count(*) AS count FROM messages INDEXED BY messages_dead_by_agent
      WHERE state = 'dead' GROUP BY recipient`,
  );
  return () => {
    const now = Date.now();
    const totals = { ready: 0, delayed: 0, inFlight: 0, dead: 0 };
    for (const row of ready.all({ now })) {
      totals.ready += row.ready;
      totals.delayed += row.delayed;
    }
    for (const row of inFlight.all()) totals.inFlight += row.count;
    for (const row of dead.all()) totals.dead += row.count;
    return totals;
  };
}

async function time(label, fn) {
  await fn(); // warm the page cache and the prepared statements
  const samples = [];
  let last;
  for (let i = 0; i < calls; i++) {
    const started = performance.now();
    last = await fn();
    samples.push(performance.now() - started);
  }
  log(`${label}: median ${median(samples).toFixed(2)} ms`);
  return { medianMs: median(samples), p99Ms: percentile(samples, 99), totals: last };
}

/** The statement PostgresMessageStore.stats() ran before schema version 2: one pass over the queue. */
function scanPostgresStats(client) {
  const live = '(expires_at IS NULL OR expires_at > $1)';
  const sql = `SELECT recipient AS agent,
      count(*) FILTER (WHERE state = 'ready' AND available_at <= $1 AND ${live})::int AS ready,
      count(*) FILTER (WHERE state = 'ready' AND available_at > $1 AND ${live})::int AS delayed,
      count(*) FILTER (WHERE state = 'in_flight')::int AS "inFlight",
      count(*) FILTER (WHERE state = 'dead')::int AS dead,
      min(created_at) FILTER (WHERE state = 'ready' AND available_at <= $1 AND ${live}) AS oldest
    FROM messages GROUP BY recipient`;
  return async () => {
    const totals = { ready: 0, delayed: 0, inFlight: 0, dead: 0 };
    for (const row of (await client.query(sql, [Date.now()])).rows) {
      for (const key of Object.keys(totals)) totals[key] += row[key];
    }
    return totals;
  };
}

const results = {};
let server;
/** Stops the bus and the cluster and removes the temp dir, once (the normal end, an error, or Ctrl-C). */
const cleanUp = cleanUpOnExit(async () => {
  try {
    await stopServer(server);
    await cluster?.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
try {
  if (postgres) {
    const harness = await loadPostgresHarness();
    cluster = await harness.startPostgres({ settings: { shared_buffers: '512MB' } });
    target = await cluster.createDatabase('bench');
  }
  log(`filling a queue of ${total} messages over ${agents.length} recipients${postgres ? ' (PostgreSQL)' : ''}`);
  const filled = await fill();
  if (postgres) {
    const client = new pg.Client({ connectionString: target });
    await client.connect();
    await client.query('VACUUM ANALYZE');
    await client.end();
  }
  // The bus makes the parent directory of --db, a path or a URL: in the temp directory.
  if (postgres) process.chdir(dir);
  server = await startServer([busBin, 'server', '--port', '0', '--db', target], canPin ? { core: 0 } : {});
  results.counters = await time('GET /queue (counters)', async () => {
    const response = await fetch(`${server.url}/queue`);
    if (!response.ok) throw new Error(`GET /queue answered ${response.status}`);
    return (await response.json()).totals;
  });
  await server.stop();
  server = undefined;
  if (postgres) {
    // The counters' statement without HTTP and the bus, to tell the database's share.
    const store = await PostgresMessageStore.open({ url: target, poolSize: 1 });
    results.store = await time('stats() in process (no HTTP)', async () => (await store.stats()).totals);
    await store.close();
    const client = new pg.Client({ connectionString: target });
    await client.connect();
    const scan = scanPostgresStats(client);
    results.scan = await time('the scan it replaced (SQL only, no HTTP)', scan);
    await client.end();
  } else {
    const connection = new Database(db);
    const scan = scanStats(connection);
    results.scan = await time('the scan it replaced (SQL only, no HTTP)', async () => scan());
    connection.close();
  }
  results.filled = filled;
} finally {
  await cleanUp();
}

const same = ['ready', 'delayed', 'inFlight', 'dead'].every(
  (key) => results.counters.totals[key] === results.scan.totals[key],
);
const summary = {
  backend: postgres ? 'postgres' : 'sqlite',
  messages: total,
  recipients: agents.length,
  calls,
  pinned: canPin,
  getQueueMedianMs: round(results.counters.medianMs),
  getQueueP99Ms: round(results.counters.p99Ms),
  ...(results.store
    ? { storeStatsMedianMs: round(results.store.medianMs), storeStatsP99Ms: round(results.store.p99Ms) }
    : {}),
  scanMedianMs: round(results.scan.medianMs),
  scanP99Ms: round(results.scan.p99Ms),
  speedup: Math.round(results.scan.medianMs / results.counters.medianMs),
  sameTotals: same,
  totals: results.counters.totals,
};
const [check] = judge([['GET /queue median ms', summary.getQueueMedianMs, '<', 10]], { quiet: json });
summary.target = check;

function round(ms) {
  return Math.round(ms * 100) / 100;
}

if (json) console.log(JSON.stringify(summary, null, 2));
else {
  console.table([
    {
      read: 'GET /queue, counters (HTTP included)',
      'median ms': summary.getQueueMedianMs,
      'p99 ms': summary.getQueueP99Ms,
    },
    ...(results.store
      ? [
          {
            read: 'stats(), counters (no HTTP)',
            'median ms': summary.storeStatsMedianMs,
            'p99 ms': summary.storeStatsP99Ms,
          },
        ]
      : []),
    { read: 'scan it replaced (SQL only)', 'median ms': summary.scanMedianMs, 'p99 ms': summary.scanP99Ms },
  ]);
  console.log(
    `${total} queued: GET /queue ${summary.getQueueMedianMs} ms (target < 10 ms: ${check.result}), ` +
      `scan ${summary.scanMedianMs} ms, ${summary.speedup}x; same totals: ${same}`,
  );
}
if (!same) {
  console.error(
    `totals differ: counters ${JSON.stringify(results.counters.totals)}, scan ${JSON.stringify(results.scan.totals)}`,
  );
  process.exitCode = 1;
}
