// Message bus benchmark: fleet-bus against a bare node:http server, measured in the same run.
//
//   npm run bench:bus                        # after npm run build; about 4 minutes
//   node bench/bus.mjs --json                # machine-readable results
//   BENCH_SECONDS=10 BENCH_ROUNDS=5 BENCH_WARMUP_SECONDS=3 node bench/bus.mjs   # 0 s: no warm-up
//
// The servers are pinned to core 0 and the load generator (autocannon, 50 connections) to core 1.
// Scenarios run in interleaved rounds (bare, bus, bare, bus, ...) after an unmeasured warm-up of each,
// and each figure is the median, so a slow spell of this shared machine weighs on the baseline and on
// Fleet alike. A lifecycle counts the messages acked, not requests over three. A third server,
// fleet-bus over a store that stores nothing (_storeless-bus.mjs), splits each request's time into
// the bare server's, what Fleet's routes add and what storage adds. A fourth, the SQLite floor
// (_sqlite-floor-server.mjs: node:http and one table with one index, group-committed, nothing of
// Fleet's), shows how far below the bare server any bus that stores its messages in SQLite stays.
//
// Targets (a missed one exits with 1): single send >= 0.35 of the bare server, lifecycle >= 0.12,
// batch msgs/s >= 1.5x the bare server's req/s with the same 100 KB body, receive with 1,000,000
// queued >= 0.8 of 1,000 queued. The rest (fsync, the batch against the bare server's 1 KB single
// sends, the floors) is printed for information.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SqliteMessageStore } from '@fleet/sdk/stores';
import autocannon from 'autocannon';
import { benchArgs, envNumber } from './_args.mjs';
import { judge } from './_checks.mjs';
import { cleanUpOnExit, stopServer } from './_clean-up.mjs';
import { canPinCores, medianRun, pinSelf, settleAudit, startServer } from './_lib.mjs';
import { lifecycleRequests } from './_lifecycle.mjs';

const { json } = benchArgs(import.meta.url, { flags: ['json'] });
const seconds = envNumber('BENCH_SECONDS', 5);
const rounds = envNumber('BENCH_ROUNDS', 3, { integer: true });
const warmupSeconds = envNumber('BENCH_WARMUP_SECONDS', 2, { zero: true });
const connections = 50;
/** Agents the lifecycles take in turn. */
const AGENTS = 500;
const here = fileURLToPath(new URL('.', import.meta.url));
const busBin = join(here, '../packages/bus-server/bin/fleet-bus.js');
const dir = mkdtempSync(join(tmpdir(), 'fleet-bench-'));
const log = (line) => {
  if (!json) console.error(line);
};

const canPin = canPinCores();
if (canPin) pinSelf(1);
else log('! taskset or a second core is missing: servers and load generator share cores');

/** Servers run on core 0; this process (the load generator) on core 1. */
const start = (args) => startServer(args, canPin ? { core: 0 } : {});

function run(options, duration) {
  return new Promise((resolve, reject) => {
    const instance = autocannon({ connections, duration, ...options }, (error, result) =>
      error ? reject(error) : resolve(result),
    );
    autocannon.track(instance, { renderProgressBar: false, renderResultsTable: false, renderLatencyTable: false });
  });
}

function summary(result, perRequest = 1) {
  const non2xx = result.non2xx + result.errors;
  if (non2xx > result.requests.total * 0.01) throw new Error(`${non2xx} failed requests`);
  return {
    requestsPerSecond: result.requests.average,
    perSecond: result.requests.average * perRequest,
    p50ms: result.latency.p50,
    p99ms: result.latency.p99,
  };
}

const payload = { text: 'x'.repeat(1000) };
const singleBody = JSON.stringify({ from: 'bench', to: 'worker', payload });
const batchBody = JSON.stringify({
  messages: Array.from({ length: 100 }, () => ({ from: 'bench', to: 'worker', payload })),
});
const headers = { 'content-type': 'application/json' };

async function prefill(db, agent, count) {
  const store = new SqliteMessageStore({ path: db });
  const batch = Array.from({ length: 100 }, () => ({
    from: 'bench',
    to: agent,
    // The lifecycle's own 1 KB, so that receives from the prefilled million and from the 1,000
    // (whose prefill the first lifecycles drain) return messages of the same size.
    payload,
    type: 'message',
    priority: 0,
    delaySeconds: 0,
    ttlSeconds: null,
    idempotencyKey: null,
  }));
  for (let sent = 0; sent < count; sent += 100) await store.sendBatch(batch);
  await settleAudit(store, count);
  await store.close();
}

/**
 * Runs every scenario `rounds` times, interleaved (bare, then each bus, then bare again...), so that
 * a slow spell of this shared machine hits the baseline and Fleet alike; reports each median.
 */
async function interleaved(scenarios) {
  const runs = Object.fromEntries(Object.keys(scenarios).map((name) => [name, []]));
  if (warmupSeconds > 0) {
    log(`warm-up (${warmupSeconds}s each, not measured): ${Object.keys(scenarios).join(', ')}`);
    for (const scenario of Object.values(scenarios)) await scenario(warmupSeconds);
  }
  for (let round = 1; round <= rounds; round++) {
    log(`round ${round}/${rounds}: ${Object.keys(scenarios).join(', ')}`);
    for (const [name, scenario] of Object.entries(scenarios)) runs[name].push(await scenario(seconds));
  }
  // Each scenario's figures from its median round by items per second (the lower middle for an even count).
  return Object.fromEntries(Object.entries(runs).map(([name, list]) => [name, medianRun(list)]));
}

const results = {};
const servers = [];
/** Stops every server and removes the temp dir, once (the normal end, an error, or Ctrl-C). */
const cleanUp = cleanUpOnExit(() =>
  Promise.all(servers.map(stopServer)).finally(() => rmSync(dir, { recursive: true, force: true })),
);
try {
  log(`${rounds} interleaved rounds of ${seconds}s per scenario, ${connections} connections`);
  const bare = await start([join(here, 'bare-server.mjs')]);
  servers.push(bare);
  // Fleet's server and routes over a store that stores nothing: what any store could reach at most.
  const storeless = await start([join(here, '_storeless-bus.mjs')]);
  servers.push(storeless);
  const floor = await start([join(here, '_sqlite-floor-server.mjs')]);
  servers.push(floor);
  const bus = {};
  for (const durability of ['normal', 'fsync']) {
    const db = join(dir, `bus-${durability}.db`);
    bus[durability] = await start([busBin, 'server', '--port', '0', '--db', db, '--durability', durability]);
    servers.push(bus[durability]);
  }
  const single = (url) => (duration) =>
    run({ url: `${url}/message`, method: 'POST', headers, body: singleBody }, duration).then((r) => summary(r));
  const batch = (url, perRequest) => (duration) =>
    run({ url: `${url}/messages/batch`, method: 'POST', headers, body: batchBody }, duration).then((r) =>
      summary(r, perRequest),
    );
  let n = 0;
  // Messages acked per second: an empty receive's ack of nothing counts for nothing.
  const lifecycle = (url, agentOf) => async (duration) => {
    const counter = { acked: 0 };
    const result = await run({ url, requests: lifecycleRequests(agentOf, 1, counter) }, duration);
    return { ...summary(result), perSecond: counter.acked / result.duration };
  };
  Object.assign(
    results,
    await interleaved({
      bareSingle: single(bare.url),
      single_normal: single(bus.normal.url),
      single_fsync: single(bus.fsync.url),
      single_storeless: single(storeless.url),
      single_floor: single(floor.url),
      bareBatch: batch(bare.url, 1),
      batch_normal: batch(bus.normal.url, 100),
      batch_fsync: batch(bus.fsync.url, 100),
      // Autocannon clears a connection's context each time it starts the sequence again, so each
      // lifecycle takes the next of 500 agents (a large fleet): enough that two lifecycles at once
      // rarely share one, and a fixed set, as a fleet has (a new agent per lifecycle made every send
      // insert an agent and a counter row no fleet would).
      lifecycle_normal: lifecycle(bus.normal.url, () => `lc-normal-${n++ % AGENTS}`),
      lifecycle_fsync: lifecycle(bus.fsync.url, () => `lc-fsync-${n++ % AGENTS}`),
      lifecycle_storeless: lifecycle(storeless.url, () => `lc-storeless-${n++ % AGENTS}`),
      lifecycle_floor: lifecycle(floor.url, () => `lc-floor-${n++ % AGENTS}`),
    }),
  );

  log('prefilling queues of 1,000 and 1,000,000 messages');
  const queued = {};
  for (const [name, depth] of [
    ['queued1k', 1_000],
    ['queued1M', 1_000_000],
  ]) {
    const db = join(dir, `${name}.db`);
    await prefill(db, 'deep', depth);
    queued[name] = await start([busBin, 'server', '--port', '0', '--db', db]);
    servers.push(queued[name]);
  }
  Object.assign(
    results,
    await interleaved({
      queued1k: lifecycle(queued.queued1k.url, () => 'deep'),
      queued1M: lifecycle(queued.queued1M.url, () => 'deep'),
    }),
  );
} finally {
  await cleanUp();
}

const ratio = (a, b) => Math.round((a / b) * 100) / 100;
// The targets are the ratios with an operator; the others are printed for information and cannot
// fail. The batch target compares like with like (the same 100 KB body on both sides); the batch
// against the bare server's 1 KB single sends is a stricter reading with no target of its own.
const checks = judge(
  [
    ['single send / bare', ratio(results.single_normal.perSecond, results.bareSingle.perSecond), '>=', 0.35],
    [
      'batch send msgs/s / bare req/s (same body)',
      ratio(results.batch_normal.perSecond, results.bareBatch.perSecond),
      '>=',
      1.5,
    ],
    ['batch send msgs/s / bare req/s (1 KB body)', ratio(results.batch_normal.perSecond, results.bareSingle.perSecond)],
    ['lifecycle msgs/s / bare', ratio(results.lifecycle_normal.perSecond, results.bareSingle.perSecond), '>=', 0.12],
    ['fsync single send / bare', ratio(results.single_fsync.perSecond, results.bareSingle.perSecond)],
    ['receive with 1M queued / 1k queued', ratio(results.queued1M.perSecond, results.queued1k.perSecond), '>=', 0.8],
    ['storeless single send / bare', ratio(results.single_storeless.perSecond, results.bareSingle.perSecond)],
    ['storeless lifecycle msgs/s / bare', ratio(results.lifecycle_storeless.perSecond, results.bareSingle.perSecond)],
    ['SQLite floor single send / bare', ratio(results.single_floor.perSecond, results.bareSingle.perSecond)],
    ['SQLite floor lifecycle msgs/s / bare', ratio(results.lifecycle_floor.perSecond, results.bareSingle.perSecond)],
    ['single send / SQLite floor', ratio(results.single_normal.perSecond, results.single_floor.perSecond)],
    ['lifecycle / SQLite floor', ratio(results.lifecycle_normal.perSecond, results.lifecycle_floor.perSecond)],
  ],
  { quiet: json },
);

/**
 * Where a request's time goes, in µs of the server's core (it is pinned and busy, so a request
 * takes 1 / throughput): the bare server's, what Fleet's server and routes add to it (the
 * storeless server's minus the bare one's) and what storage adds (the real minus the storeless).
 */
const perRequestUs = (result) => 1e6 / result.requestsPerSecond;
const split = (name, real, floor) => ({
  requests: name,
  'bare µs': Math.round(perRequestUs(results.bareSingle) * 10) / 10,
  'routes µs': Math.round((perRequestUs(floor) - perRequestUs(results.bareSingle)) * 10) / 10,
  'store µs': Math.round((perRequestUs(real) - perRequestUs(floor)) * 10) / 10,
});
const splits = [
  split('single send', results.single_normal, results.single_storeless),
  split('lifecycle (per request)', results.lifecycle_normal, results.lifecycle_storeless),
];

if (json) {
  console.log(JSON.stringify({ seconds, rounds, connections, pinned: canPin, results, checks, splits }, null, 2));
} else {
  const rows = Object.entries(results).map(([name, r]) => ({
    scenario: name,
    'req/s': Math.round(r.requestsPerSecond),
    'items/s': Math.round(r.perSecond),
    'p50 ms': r.p50ms,
    'p99 ms': r.p99ms,
    'runs (items/s)': r.runs.join(' '),
  }));
  console.table(rows);
  console.table(checks);
  console.table(splits);
}
