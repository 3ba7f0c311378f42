// Message bus on PostgreSQL: two fleet-bus replicas on one database against pg-boss 10.x on the same
// cluster, measured in the same run; then receive throughput with 1,000,000 queued against 1,000.
//
//   npm run build && npm run bench:bus-postgres   # about 5 minutes (filling the million: 20-60 s)
//   node bench/bus-postgres.mjs --json            # machine-readable results
//   BENCH_SECONDS=5 BENCH_ROUNDS=1 BENCH_DEEP=100000 node bench/bus-postgres.mjs   # a quick look
//
// One throwaway cluster (@fleet/test-utils/postgres: initdb into a temp directory, fsync off, run as
// the postgres user when root). Fleet: two replicas on one database, pinned to cores 0 and 1; the
// load generator (autocannon, this process, unpinned) spreads 50 keep-alive connections across both,
// each connection looping send, leased receive, ack, the lifecycles taking 50 agents in turn. pg-boss:
// two forked processes pinned to cores 0 and 1, each with 25 concurrent loops of send, fetch,
// complete (one queue per loop, schema `pgboss` in the same database), a pool of 10 connections per
// process like each replica's. Both sides run one message per operation, and batched: 100 per operation (Fleet's
// largest batch; pg-boss's insert, fetch with batchSize 100 and complete with 100 ids, the batching
// its docs offer for throughput). Throughput counts messages acked (completed) per second. Beside
// it, CPU time per message: of the replicas or the pg-boss processes ("app"), of PostgreSQL's
// processes, and of this process (autocannon's load; pg-boss's loops run in its own processes).
// Scenarios run in interleaved rounds after an unmeasured warm-up of each (3 s), and each figure is
// the median. Each Fleet or pg-boss run
// starts from a vacuumed database with the other system's processes frozen (SIGSTOP), so neither
// pays for the other's background work (pg-boss's maintenance, the replicas' sweeps) or dead rows;
// each still pays for its own, autovacuum included.
//
// The deep queue: 1,000,000 (BENCH_DEEP) and 1,000 messages for one agent in two databases, filled
// through the store's own sendBatch (PostgresMessageStore, 1,000 per call; through HTTP a million
// takes too long), then VACUUM ANALYZE (what autovacuum does to a grown table); each database gets
// its two replicas and the same lifecycle load for that agent, so the depth stays put.
//
// Targets (a missed one exits with 1): Fleet / pg-boss >= 3 one message per operation, receive with
// the deep queue >= 0.8 of 1,000 queued; the batched ratio is printed for information. Ctrl-C or
// SIGTERM wakes the frozen processes, stops every replica and pg-boss process, and the cluster.
import { fork } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { PostgresMessageStore } from '@fleet/sdk/stores';
import autocannon from 'autocannon';
import PgBoss from 'pg-boss';
import { benchArgs, envNumber } from './_args.mjs';
import { judge } from './_checks.mjs';
import { cleanUpOnExit, stopServer } from './_clean-up.mjs';
import { canPinCores, cpuSince, medianRun, postgresCpuMs, processCpuMs, settleAudit } from './_lib.mjs';
import { lifecycleRequests } from './_lifecycle.mjs';
import { loadPostgresHarness, requireBuild, startReplicas } from './_postgres.mjs';

const { json } = benchArgs(import.meta.url, { flags: ['json'] });
const seconds = envNumber('BENCH_SECONDS', 10);
/** Each scenario first runs this long unmeasured, so that no figure includes a cold start (JIT, caches, pools). */
const warmupSeconds = envNumber('BENCH_WARMUP_SECONDS', 3, { zero: true });
/** How long the scenario now running lasts (the warm-up's or a measured round's). */
let runSeconds = seconds;
const rounds = envNumber('BENCH_ROUNDS', 3, { integer: true });
const deep = envNumber('BENCH_DEEP', 1_000_000, { integer: true });
const connections = 50;
const batchSize = 100;
const poolSize = 10;
const log = (line) => {
  if (!json) console.error(line);
};

requireBuild();
const canPin = canPinCores();
if (!canPin) log('! taskset or a second core is missing: replicas and load share cores unpinned');
const { startPostgres } = await loadPostgresHarness();

/**
 * Starts measuring the CPU time of `pids` (the bus replicas or pg-boss processes), of PostgreSQL
 * and of this process (the load generator); `perMessage(n)` gives each in ms per message.
 */
function cpuMeter(pids) {
  const app = () => pids.reduce((sum, pid) => sum + processCpuMs(pid), 0);
  const start = { app: app(), postgres: postgresCpuMs(), load: process.cpuUsage() };
  return {
    perMessage(messages) {
      const load = process.cpuUsage(start.load);
      const per = (ms) => Math.round((ms / messages) * 1000) / 1000;
      return {
        appCpuMs: per(app() - start.app),
        postgresCpuMs: per(cpuSince(start.postgres, postgresCpuMs())),
        loadCpuMs: per((load.user + load.system) / 1000),
      };
    },
  };
}

function autocannonRun(url, requests, count) {
  return new Promise((resolve, reject) => {
    const instance = autocannon({ url, connections: count, duration: runSeconds, requests }, (error, result) =>
      error ? reject(error) : resolve(result),
    );
    autocannon.track(instance, { renderProgressBar: false, renderResultsTable: false, renderLatencyTable: false });
  });
}

let agentCount = 0;
/**
 * The lifecycle load on `replicas`, connections split evenly; messages acked per second. Autocannon
 * clears a connection's context each time it starts the sequence again, so lifecycles take their
 * agent from a pool as large as the connections (50 agents, like pg-boss's 50 queues) rather than
 * naming a new agent every time.
 */
async function fleetLifecycle(replicas, batch, agentOf = () => `lc-${batch}-${agentCount++ % connections}`) {
  const counter = { acked: 0 };
  const per = Math.floor(connections / replicas.length);
  const meter = cpuMeter(replicas.map((replica) => replica.child.pid));
  const results = await Promise.all(
    replicas.map((replica) => autocannonRun(replica.url, lifecycleRequests(agentOf, batch, counter), per)),
  );
  const requests = results.reduce((sum, r) => sum + r.requests.total, 0);
  const failed = results.reduce((sum, r) => sum + r.non2xx + r.errors, 0);
  if (failed > requests * 0.01) throw new Error(`${failed} of ${requests} requests failed`);
  const elapsed = Math.max(...results.map((r) => r.duration));
  return {
    perSecond: counter.acked / elapsed,
    ...meter.perMessage(counter.acked),
    p50ms: Math.max(...results.map((r) => r.latency.p50)),
    p99ms: Math.max(...results.map((r) => r.latency.p99)),
  };
}

/** Forks the two pg-boss processes (cores 0 and 1); resolves once both have started. */
async function startPgBossWorkers(url) {
  const script = fileURLToPath(new URL('./_pg-boss-worker.mjs', import.meta.url));
  return Promise.all(
    [0, 1].map(
      (core) =>
        new Promise((resolve, reject) => {
          const child = fork(script, [url, canPin ? String(core) : '-', String(poolSize)], { stdio: 'inherit' });
          allWorkers.push(child);
          childPids.add(child.pid);
          child.once('message', () => resolve(child));
          child.once('exit', (code) => reject(new Error(`pg-boss worker exited with ${code}`)));
        }),
    ),
  );
}

/** The same load through pg-boss: 25 loops per process, each on its own queue; jobs completed per second. */
async function pgBossLifecycle(workers, batch) {
  const per = Math.floor(connections / workers.length);
  const meter = cpuMeter(workers.map((worker) => worker.pid));
  const answers = await Promise.all(
    workers.map(
      (worker, w) =>
        new Promise((resolve, reject) => {
          const onExit = (code) => reject(new Error(`pg-boss worker exited with ${code} during a run`));
          worker.once('exit', onExit);
          worker.once('message', (answer) => {
            worker.off('exit', onExit);
            resolve(answer);
          });
          const queues = Array.from({ length: per }, (_, i) => `bench-${batch}-${w}-${i}`);
          worker.send({ run: { queues, batch, seconds: runSeconds } });
        }),
    ),
  );
  const jobs = answers.reduce((sum, a) => sum + a.jobs, 0);
  return { perSecond: jobs / Math.max(...answers.map((a) => a.seconds)), ...meter.perMessage(jobs) };
}

/** Every child process this run has started (replicas and pg-boss processes): the clean-up wakes them all. */
const childPids = new Set();

/** Freezes (SIGSTOP) or wakes (SIGCONT) processes; one that has exited already (Ctrl-C reached it too) is skipped. */
function setFrozen(pids, frozen) {
  for (const pid of pids) {
    try {
      process.kill(pid, frozen ? 'SIGSTOP' : 'SIGCONT');
    } catch (error) {
      if (error.code !== 'ESRCH') throw error;
    }
  }
}

/**
 * Runs `scenario` with only `active` processes awake: the other system's processes are frozen
 * (their timers, maintenance and sweeps included) and the database vacuumed first, so that neither
 * system's measurement pays for the other's background work or garbage.
 */
async function alone(active, frozen, database, scenario) {
  setFrozen(frozen, true);
  setFrozen(active, false);
  await pg.psql('VACUUM', database);
  return scenario();
}

async function interleaved(scenarios) {
  const runs = Object.fromEntries(Object.keys(scenarios).map((name) => [name, []]));
  if (warmupSeconds > 0) {
    log(`warm-up (${warmupSeconds}s each, not measured): ${Object.keys(scenarios).join(', ')}`);
    runSeconds = warmupSeconds;
    for (const scenario of Object.values(scenarios)) await scenario();
    runSeconds = seconds;
  }
  for (let round = 1; round <= rounds; round++) {
    log(`round ${round}/${rounds}: ${Object.keys(scenarios).join(', ')}`);
    for (const [name, scenario] of Object.entries(scenarios)) runs[name].push(await scenario());
  }
  // Each scenario's figures from its median round by messages per second (the lower middle for an even count).
  return Object.fromEntries(Object.entries(runs).map(([name, list]) => [name, medianRun(list)]));
}

/** Queues `count` messages for `agent` through the store's sendBatch, two batches in flight. */
async function fill(url, agent, count) {
  const store = new PostgresMessageStore({ url, poolSize: 4 });
  const size = 1000;
  const batch = (n) =>
    Array.from({ length: n }, () => ({
      from: 'bench',
      to: agent,
      // The lifecycle's own 1 KB, so that receives from the deep queue and from the shallow one
      // (whose prefill the first lifecycles drain) return messages of the same size.
      payload: { text: 'x'.repeat(1000) },
      type: 'message',
      priority: 0,
      delaySeconds: 0,
      ttlSeconds: null,
      idempotencyKey: null,
    }));
  const started = performance.now();
  let sent = 0;
  let shown = 0;
  const worker = async () => {
    while (sent < count) {
      const n = Math.min(size, count - sent);
      sent += n;
      await store.sendBatch(batch(n));
      if (!json && process.stderr.isTTY && sent - shown >= 50_000) {
        shown = sent;
        process.stderr.write(`\r  ${agent}: ${sent.toLocaleString('en')} / ${count.toLocaleString('en')}`);
      }
    }
  };
  await Promise.all([worker(), worker()]);
  if (!json && process.stderr.isTTY) process.stderr.write('\n');
  const seconds = (performance.now() - started) / 1000;
  await settleAudit(store, count);
  await store.close();
  return seconds;
}

/**
 * Asks a pg-boss process to stop; SIGTERM when its channel is gone or it has not exited within 5 s
 * (one still starting has no listener yet). Resolves once it has exited.
 */
function stopWorker(worker) {
  return new Promise((resolve) => {
    if (worker.exitCode !== null || worker.signalCode !== null) return resolve();
    const timer = setTimeout(() => worker.kill('SIGTERM'), 5000);
    worker.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    if (worker.connected) worker.send('stop');
    else worker.kill('SIGTERM');
  });
}

const results = {};
const fills = {};
/** Every replica and pg-boss process started, for the clean-up (stopping one twice is harmless). */
const allReplicas = [];
const allWorkers = [];
let pg;
/**
 * Wakes every child first (a frozen process cannot stop, and a Ctrl-C while one system is frozen
 * would leave it frozen for good), then stops the replicas, the pg-boss processes and the cluster,
 * once: at the normal end, after an error, or on Ctrl-C or SIGTERM.
 */
const cleanUp = cleanUpOnExit(async () => {
  setFrozen(childPids, false);
  await Promise.allSettled([...allReplicas.map(stopServer), ...allWorkers.map(stopWorker)]);
  await pg?.stop();
});
/** Starts two replicas on `url`, registered for the clean-up. */
async function replicasOn(url) {
  const replicas = await startReplicas(url);
  allReplicas.push(...replicas);
  for (const replica of replicas) childPids.add(replica.child.pid);
  return replicas;
}
try {
  log(
    `cluster start; ${rounds} interleaved rounds of ${seconds}s, ${connections} connections, ${availableParallelism()} cores`,
  );
  pg = await startPostgres();
  const db = await pg.createDatabase('lifecycle');
  const replicas = await replicasOn(db);

  // pg-boss creates its schema and queues once, before its processes start.
  const setup = new PgBoss({ connectionString: db, schema: 'pgboss', max: 2, supervise: false, schedule: false });
  await setup.start();
  for (const batch of [1, batchSize]) {
    for (let w = 0; w < 2; w++) {
      for (let i = 0; i < connections / 2; i++) await setup.createQueue(`bench-${batch}-${w}-${i}`);
    }
  }
  await setup.stop({ graceful: false, wait: true });
  const workers = await startPgBossWorkers(db);
  const fleetPids = replicas.map((replica) => replica.child.pid);
  const bossPids = workers.map((worker) => worker.pid);

  Object.assign(
    results,
    await interleaved({
      fleet: () => alone(fleetPids, bossPids, 'lifecycle', () => fleetLifecycle(replicas, 1)),
      pgBoss: () => alone(bossPids, fleetPids, 'lifecycle', () => pgBossLifecycle(workers, 1)),
      fleetBatch: () => alone(fleetPids, bossPids, 'lifecycle', () => fleetLifecycle(replicas, batchSize)),
      pgBossBatch: () => alone(bossPids, fleetPids, 'lifecycle', () => pgBossLifecycle(workers, batchSize)),
    }),
  );
  // The first databases' processes are done: woken (a frozen process cannot stop) and stopped.
  setFrozen([...fleetPids, ...bossPids], false);
  await Promise.all([...replicas.map(stopServer), ...workers.map(stopWorker)]);

  const depths = { queued1k: 1_000, queued1M: deep };
  const deepReplicas = {};
  for (const [name, depth] of Object.entries(depths)) {
    log(`filling ${name}: ${depth.toLocaleString('en')} messages`);
    const url = await pg.createDatabase(name);
    fills[name] = { messages: depth, seconds: await fill(url, 'deep', depth) };
    await pg.psql('VACUUM ANALYZE', name);
    deepReplicas[name] = await replicasOn(url);
  }
  Object.assign(
    results,
    await interleaved({
      queued1k: () => fleetLifecycle(deepReplicas.queued1k, 1, () => 'deep'),
      queued1M: () => fleetLifecycle(deepReplicas.queued1M, 1, () => 'deep'),
    }),
  );
} finally {
  await cleanUp();
}

const ratio = (a, b) => Math.round((a / b) * 100) / 100;
const checks = judge(
  [
    ['lifecycle: Fleet / pg-boss', ratio(results.fleet.perSecond, results.pgBoss.perSecond), '>=', 3],
    ['batched lifecycle: Fleet / pg-boss', ratio(results.fleetBatch.perSecond, results.pgBossBatch.perSecond)],
    [
      `receive with ${deep.toLocaleString('en')} queued / 1,000 queued`,
      ratio(results.queued1M.perSecond, results.queued1k.perSecond),
      '>=',
      0.8,
    ],
  ],
  { quiet: json },
);

if (json) {
  console.log(
    JSON.stringify({ seconds, rounds, connections, batchSize, pinned: canPin, results, fills, checks }, null, 2),
  );
} else {
  console.table(
    Object.entries(results).map(([name, r]) => ({
      scenario: name,
      'msgs/s': Math.round(r.perSecond),
      'p50 ms': r.p50ms ?? '-',
      'p99 ms': r.p99ms ?? '-',
      'runs (msgs/s)': r.runs.join(' '),
      'CPU ms/msg: app': r.appCpuMs,
      postgres: r.postgresCpuMs,
      load: r.loadCpuMs,
    })),
  );
  for (const [name, f] of Object.entries(fills)) {
    log(
      `${name}: filled ${f.messages.toLocaleString('en')} in ${f.seconds.toFixed(1)}s (${Math.round(f.messages / f.seconds)}/s)`,
    );
  }
  console.table(checks);
}
