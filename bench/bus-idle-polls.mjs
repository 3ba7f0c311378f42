// Idle long polls: what a fleet of agents waiting on empty queues costs the bus, against the same
// waits re-checked every half second (the store with `hasQueued` hidden, which is how every wait ran
// before it), in the same run.
//
//   npm run build && node bench/bus-idle-polls.mjs   # about a minute
//   node bench/bus-idle-polls.mjs --json
//   BENCH_WAITERS=200 BENCH_SECONDS=20 node bench/bus-idle-polls.mjs
//   node bench/bus-idle-polls.mjs --postgres         # on a throwaway PostgreSQL cluster (@fleet/test-utils/postgres)
//
// In this process: BENCH_WAITERS `leaseWithWait` calls (waitSeconds 20, each for its own agent with
// nothing queued) held for BENCH_SECONDS, then aborted. Counts the store's leases and `hasQueued`
// reads per second and this process's CPU (and PostgreSQL's, with --postgres). Pinned to core 0 when
// taskset can. Prints the ratios to the baseline: its leases over Fleet's (how many times fewer),
// and Fleet's CPU over the baseline's (of this process, and of PostgreSQL with --postgres). No target.
import { setMaxListeners } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { leaseWithWait, PostgresMessageStore, SqliteMessageStore } from '@fleet/sdk/stores';
import { benchArgs, envNumber } from './_args.mjs';
import { cleanUpOnExit } from './_clean-up.mjs';
import { canPinCores, cpuSince, pinSelf, postgresCpuMs } from './_lib.mjs';
import { loadPostgresHarness, requireBuild } from './_postgres.mjs';

const { json, postgres } = benchArgs(import.meta.url, { flags: ['json', 'postgres'] });
const waiters = envNumber('BENCH_WAITERS', 1000, { integer: true });
const seconds = envNumber('BENCH_SECONDS', 12);
requireBuild();
const log = (line) => {
  if (!json) console.error(line);
};
if (canPinCores()) pinSelf(0);

const dir = mkdtempSync(join(tmpdir(), 'fleet-bench-idle-'));
let cluster;
let stores = 0;

/** A fresh, empty store. */
async function openStore() {
  stores += 1;
  if (!postgres) return new SqliteMessageStore({ path: join(dir, `bus-${stores}.db`) });
  return PostgresMessageStore.open({ url: await cluster.createDatabase(`idle${stores}`), poolSize: 10 });
}

/** Counts the store's leases and `hasQueued` reads; `recheckAlways` hides `hasQueued` (the baseline). */
function counted(store, recheckAlways) {
  const counts = { leases: 0, hasQueued: 0 };
  const lease = store.lease.bind(store);
  const hasQueued = store.hasQueued?.bind(store);
  const view = Object.create(store);
  view.lease = (request) => {
    counts.leases += 1;
    return lease(request);
  };
  view.hasQueued =
    recheckAlways || !hasQueued
      ? undefined
      : (agent) => {
          counts.hasQueued += 1;
          return hasQueued(agent);
        };
  view.onMessage = store.onMessage.bind(store);
  return { view, counts };
}

async function measure(name, recheckAlways) {
  const store = await openStore();
  const { view, counts } = counted(store, recheckAlways);
  const controller = new AbortController();
  setMaxListeners(waiters + 10, controller.signal);
  const input = (i) => ({ agent: `idle-${i}`, limit: 1, leaseSeconds: 30, waitSeconds: 20 });
  const waits = Array.from({ length: waiters }, (_, i) => leaseWithWait(view, input(i), controller.signal));
  // The first lease of every wait is the same on both sides: count from after it.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const start = { ...counts, cpu: process.cpuUsage(), pg: postgres ? postgresCpuMs() : 0, at: performance.now() };
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const elapsed = (performance.now() - start.at) / 1000;
  const cpu = process.cpuUsage(start.cpu);
  const result = {
    leasesPerSecond: (counts.leases - start.leases) / elapsed,
    hasQueuedPerSecond: (counts.hasQueued - start.hasQueued) / elapsed,
    cpuPercent: ((cpu.user + cpu.system) / 1000 / (elapsed * 1000)) * 100,
    ...(postgres ? { postgresCpuPercent: (cpuSince(start.pg, postgresCpuMs()) / (elapsed * 1000)) * 100 } : {}),
  };
  controller.abort();
  await Promise.all(waits);
  await store.close();
  log(
    `${name}: ${result.leasesPerSecond.toFixed(0)} leases/s, ${result.hasQueuedPerSecond.toFixed(0)} hasQueued/s, ` +
      `CPU ${result.cpuPercent.toFixed(1)}% of a core` +
      (postgres ? `, PostgreSQL ${result.postgresCpuPercent.toFixed(1)}%` : ''),
  );
  return result;
}

const results = {};
/** Stops the cluster and removes the temp dir, once (the normal end, an error, or Ctrl-C). */
const cleanUp = cleanUpOnExit(async () => {
  try {
    await cluster?.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
try {
  if (postgres) {
    const harness = await loadPostgresHarness();
    cluster = await harness.startPostgres();
  }
  log(`${waiters} idle long polls for ${seconds} s on ${postgres ? 'PostgreSQL' : 'SQLite'}`);
  results.baseline = await measure('re-checked every 0.5 s (baseline)', true);
  results.fleet = await measure('idle waits (hasQueued)', false);
} finally {
  await cleanUp();
}
// No ratio when Fleet made no lease at all while waiting (dividing by nearly nothing would print 1e12x).
const ratio =
  results.fleet.leasesPerSecond > 0 ? results.baseline.leasesPerSecond / results.fleet.leasesPerSecond : null;
const over = (key) => Math.round((results.fleet[key] / Math.max(results.baseline[key], 1e-9)) * 100) / 100;
const summary = {
  waiters,
  seconds,
  backend: postgres ? 'postgres' : 'sqlite',
  results,
  leasesRatio: ratio,
  cpuOverBaseline: over('cpuPercent'),
  ...(postgres ? { postgresCpuOverBaseline: over('postgresCpuPercent') } : {}),
};
if (json) console.log(JSON.stringify(summary, null, 2));
else {
  console.log(
    ratio === null
      ? `leases: none while waiting, against ${results.baseline.leasesPerSecond.toFixed(0)}/s for the baseline`
      : `leases: ${ratio.toFixed(1)}x fewer than the baseline`,
  );
  console.log(
    `CPU: ${summary.cpuOverBaseline} of the baseline's (${results.fleet.cpuPercent.toFixed(1)}% of a core against ${results.baseline.cpuPercent.toFixed(1)}%)` +
      (postgres
        ? `; PostgreSQL ${summary.postgresCpuOverBaseline} (${results.fleet.postgresCpuPercent.toFixed(1)}% against ${results.baseline.postgresCpuPercent.toFixed(1)}%)`
        : ''),
  );
}
