// Health monitor benchmark: FleetMonitor's overhead for 300 targets at a 30 s interval, and the size
// of its database after 30 simulated days.
//
//   node --expose-gc bench/monitor.mjs          # about seven minutes (five are the 30 simulated days)
//   node --expose-gc bench/monitor.mjs --json   # machine-readable
//   node --expose-gc bench/monitor.mjs --dist   # the built @fleet/sdk instead of the sources
//   BENCH_TARGETS=300 BENCH_WINDOW_S=60 BENCH_DAYS=30 node bench/monitor.mjs
//
// What it does:
// 1. Targets: 300 health URLs on three local node:http servers (three "hosts", 100 paths each),
//    in a child process, so this process's CPU time is the monitor's (or the baseline's) alone.
// 2. Overhead at the real rate: the monitor probes all targets every 30 s for BENCH_WINDOW_S
//    seconds; CPU % of this process over the window and the heap the monitor holds. The same
//    window is run first with the baseline: a bare loop that fetches the same URLs at the same
//    rate and reads the bodies (no conditions, states, history). One untimed fetch per host comes
//    before both, so that loading fetch (undici) on first use weighs on neither.
// 3. Per-probe cost, time compressed: the same 300 targets at a 1 s interval (30x the rate) for
//    BENCH_FAST_S seconds, monitor and baseline; CPU ms per probe, extrapolated to 10 probes/s.
// 4. Database size after BENCH_DAYS simulated days: 300 targets x one result per 30 s written
//    through the monitor's public write path (`record()`: validation, state machine, counters,
//    group-committed SQLite writes) on a fake clock, rolled up every simulated hour (retention
//    included), then the file size (WAL checkpointed). Also: a rollup's duration at that size, startup time
//    on the full file, and `statuses()` time for 300 targets.
//
// Targets (a missed one exits with 1): the database < 50 MB after 30 days, statuses() p99 < 50 ms.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { benchArgs, envNumber } from './_args.mjs';
import { judge } from './_checks.mjs';
import { cleanUpOnExit } from './_clean-up.mjs';
import { percentile } from './_lib.mjs';

const { json, dist } = benchArgs(import.meta.url, { flags: ['json', 'dist'] });
const TARGETS = envNumber('BENCH_TARGETS', 300, { integer: true });
const WINDOW_S = envNumber('BENCH_WINDOW_S', 60);
const FAST_S = envNumber('BENCH_FAST_S', 10);
const DAYS = envNumber('BENCH_DAYS', 30, { integer: true });
const INTERVAL_MS = 30_000;
const STEP_MS = 5 * 60_000;
const here = fileURLToPath(new URL('.', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'fleet-monitor-bench-'));
const log = (line) => {
  if (!json) console.error(line);
};
const round = (n, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
const mb = (bytes) => round(bytes / 1024 / 1024, 1);

/**
 * FleetMonitor bundled from the SDK sources (the `@fleet/sdk/fleet` entry) with esbuild into a temp directory (node_modules
 * linked, so better-sqlite3 resolves): Node 20 runs no .ts, and a dist/ may be stale. With
 * `--dist`, the built `@fleet/sdk` is used instead (run `npm run build` first).
 */
async function loadFleetMonitor() {
  if (dist) {
    const { FleetMonitor } = await import('@fleet/sdk/fleet');
    if (!FleetMonitor) throw new Error('the built @fleet/sdk/fleet does not export FleetMonitor: run npm run build');
    return { FleetMonitor, source: '@fleet/sdk/fleet (dist)' };
  }
  const { build } = await import('esbuild');
  const out = join(dir, 'bundle');
  mkdirSync(out);
  symlinkSync(join(here, '../node_modules'), join(out, 'node_modules'), 'dir');
  await build({
    entryPoints: [join(here, '../packages/sdk/src/fleet/index.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: join(out, 'fleet-monitor.mjs'),
    external: ['better-sqlite3'],
    logLevel: 'error',
  });
  const { FleetMonitor } = await import(pathToFileURL(join(out, 'fleet-monitor.mjs')).href);
  return { FleetMonitor, source: 'packages/sdk/src (bundled with esbuild)' };
}

/** Three HTTP servers with 100 health paths each, in a child process; resolves with their URLs. */
function startTargetServers(count) {
  const script = `
    import { createServer } from 'node:http';
    const servers = [0, 1, 2].map(() => createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'ok', service: req.url.slice(1), version: '1.0.0', uptimeSeconds: 12 }));
    }).listen(0, '127.0.0.1'));
    await Promise.all(servers.map((s) => new Promise((r) => s.listening ? r() : s.once('listening', r))));
    console.log(JSON.stringify(servers.map((s) => 'http://127.0.0.1:' + s.address().port)));
    process.on('SIGTERM', () => process.exit(0));`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      if (!out.includes('\n')) return;
      const bases = JSON.parse(out);
      const targets = Array.from({ length: count }, (_, i) => ({
        id: `svc-${i}`,
        kind: 'custom',
        host: `host-${i % 3}`,
        url: `${bases[i % 3]}/svc-${i}/health`,
        intervalMs: INTERVAL_MS,
        timeoutMs: 5000,
        conditions: ['[STATUS] == 200', '[BODY].status == ok', '[RESPONSE_TIME] < 1000'],
      }));
      // Ctrl-C reaches the child too: it may have exited already.
      const stop = () =>
        new Promise((done) => {
          if (child.exitCode !== null || child.signalCode !== null) return done();
          child.once('exit', done);
          child.kill('SIGTERM');
        });
      resolve({ targets, stop });
    });
    child.once('exit', (code) => reject(new Error(`target servers exited with ${code}`)));
  });
}

const gc = () => globalThis.gc?.();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** CPU time (user + system, ms) and wall time (ms) of a window. */
async function window(ms) {
  const cpu = process.cpuUsage();
  const start = performance.now();
  await sleep(ms);
  const used = process.cpuUsage(cpu);
  return { cpuMs: (used.user + used.system) / 1000, wallMs: performance.now() - start };
}

/** The baseline: fetch each URL every `intervalMs` (first fetch spread over the interval), read the body. */
async function bareFetchLoop(targets, intervalMs, windowMs) {
  let probes = 0;
  const timers = [];
  for (const target of targets) {
    const tick = async () => {
      const response = await fetch(target.url, { signal: AbortSignal.timeout(5000) });
      await response.text();
      probes += 1;
    };
    timers.push(
      setTimeout(() => {
        void tick();
        timers.push(setInterval(() => void tick(), intervalMs));
      }, Math.random() * intervalMs),
    );
  }
  const measured = await window(windowMs);
  const counted = probes;
  for (const timer of timers) clearInterval(timer);
  await sleep(200);
  return { ...measured, probes: counted };
}

/**
 * The monitor on `targets` at `intervalMs`: CPU over `windowMs` after start() (construction and
 * the first rollup excluded), and the heap it holds at the end.
 */
async function monitorRun(FleetMonitor, targets, intervalMs, windowMs) {
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const monitor = new FleetMonitor({
    targets: targets.map((target) => ({ ...target, intervalMs, timeoutMs: Math.min(5000, intervalMs / 2) })),
    dbPath: join(dir, `run-${intervalMs}.db`),
  });
  let probes = 0;
  monitor.onProbe(() => {
    probes += 1;
  });
  monitor.start();
  const measured = await window(windowMs);
  const counted = probes;
  await monitor.stop();
  gc();
  const heapMonitorBytes = process.memoryUsage().heapUsed - heapBefore;
  const rssBytes = process.memoryUsage().rss;
  const up = monitor.statuses().filter((status) => status.state === 'up').length;
  monitor.close();
  return { ...measured, probes: counted, up, heapMonitorBytes, rssBytes };
}

const cpuPercent = (run) => round((run.cpuMs / run.wallMs) * 100);
const cpuPerProbe = (run) => run.cpuMs / Math.max(1, run.probes);

/** A synthetic latency: most answers fast, a few slow (log-normal), some targets farther away. */
function latencyFor(target, random) {
  const base = target % 10 === 0 ? 80 : target % 3 === 0 ? 25 : 6;
  const z = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  return Math.max(1, Math.round(base * Math.exp(0.6 * z)));
}

/** A small deterministic PRNG, so runs are comparable. */
function mulberry32(seed) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Writes `days` of results for `targets` through `record()` with rollups every 5 simulated minutes. */
async function simulateDays(FleetMonitor, targets, days) {
  const path = join(dir, 'simulated.db');
  const end = Date.UTC(2025, 0, 31);
  const start = end - days * 86_400_000;
  const clock = { ms: start };
  const random = mulberry32(42);
  const monitor = new FleetMonitor({ targets, dbPath: path, now: () => clock.ms, rollupIntervalMs: 0 });
  const phase = targets.map(() => Math.floor(random() * INTERVAL_MS));
  let results = 0;
  const begin = performance.now();
  for (let tick = start; tick < end; tick += STEP_MS) {
    // Every target's results of this 5-minute step: one group commit, as when results arrive
    // together (only the batching differs from live probing, not what is stored).
    for (let at = tick; at < tick + STEP_MS; at += INTERVAL_MS) {
      for (let i = 0; i < targets.length; i++) {
        const ok = random() > 0.003;
        monitor.record({
          target: targets[i].id,
          at: new Date(at + phase[i]).toISOString(),
          ok,
          status: ok ? 200 : 503,
          responseTimeMs: latencyFor(i, random),
          error: ok ? null : '[STATUS] == 200: got 503',
        });
        results += 1;
      }
    }
    await new Promise((resolve) => setImmediate(resolve));
    clock.ms = tick + STEP_MS;
    // A rollup every simulated hour (live: every minute); it is idempotent, so the stored result is the same.
    if (clock.ms % 3_600_000 === 0) monitor.rollup();
    if ((clock.ms - start) % (86_400_000 * 5) === 0)
      log(`  simulated day ${(clock.ms - start) / 86_400_000} of ${days}`);
  }
  const simulationSeconds = (performance.now() - begin) / 1000;
  // A live rollup's cost at this size: 5 more minutes of results (300 new raw rows), then the rollup.
  const rollupTimes = [];
  for (let step = 0; step < 10; step++) {
    for (let at = clock.ms; at < clock.ms + STEP_MS; at += INTERVAL_MS) {
      for (let i = 0; i < targets.length; i++) {
        const probeAt = new Date(at + phase[i]).toISOString();
        monitor.record({ target: targets[i].id, at: probeAt, ok: true, status: 200, responseTimeMs: 5, error: null });
      }
    }
    clock.ms += STEP_MS;
    // Live, results are committed as they come: only the rollup itself is timed.
    await new Promise((resolve) => setImmediate(resolve));
    const t = performance.now();
    monitor.rollup();
    rollupTimes.push(performance.now() - t);
  }
  monitor.close();

  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const opened = performance.now();
  const reopened = new FleetMonitor({ targets, dbPath: path, now: () => clock.ms, rollupIntervalMs: 0 });
  const startupMs = performance.now() - opened;
  gc();
  const heapLoadedBytes = process.memoryUsage().heapUsed - heapBefore;
  const statusTimes = [];
  for (let i = 0; i < 200; i++) {
    const t = performance.now();
    reopened.statuses();
    statusTimes.push(performance.now() - t);
  }
  // What a dashboard overview reads per refresh: 24 h of 5-minute buckets of every target.
  const historyStart = performance.now();
  for (const target of targets)
    reopened.history(target.id, { from: clock.ms - 86_400_000, to: clock.ms, resolution: '5m' });
  const overviewHistoryMs = performance.now() - historyStart;
  const detailStart = performance.now();
  reopened.detail(targets[0].id, { from: clock.ms - 30 * 86_400_000, to: clock.ms, resolution: '5m' });
  const detail30dMs = performance.now() - detailStart;
  reopened.close();

  const db = new Database(path);
  db.pragma('wal_checkpoint(TRUNCATE)');
  const tables = Object.fromEntries(
    db
      .prepare('SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC')
      .all()
      .map((row) => [row.name, mb(row.bytes)]),
  );
  db.close();
  const fileBytes = statSync(path).size;
  return {
    days,
    targets: targets.length,
    results,
    simulationSeconds: round(simulationSeconds, 1),
    recordMicrosPerResult: round((simulationSeconds * 1e6) / results, 1),
    fileMB: mb(fileBytes),
    tablesMB: tables,
    rollupMs: { p50: round(percentile(rollupTimes, 50)), max: round(Math.max(...rollupTimes)) },
    startupMs: round(startupMs),
    heapAfterStartupMB: mb(heapLoadedBytes),
    history24hAllTargetsMs: round(overviewHistoryMs),
    detail30dAt5mMs: round(detail30dMs),
    statusesMs: { p50: round(percentile(statusTimes, 50), 3), p99: round(percentile(statusTimes, 99), 3) },
  };
}

const results = { targets: TARGETS, intervalMs: INTERVAL_MS };
let servers;
/** Stops the target servers and removes the temp dir, once (the normal end, an error, or Ctrl-C). */
const cleanUp = cleanUpOnExit(async () => {
  try {
    await servers?.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
try {
  const { FleetMonitor, source } = await loadFleetMonitor();
  results.sdk = source;
  servers = await startTargetServers(TARGETS);
  // The first fetch() of a process loads undici (tens of ms of CPU), and the baseline would open the
  // connections the monitor then reuses (both use the global dispatcher): one untimed fetch per host.
  for (const target of servers.targets.slice(0, 3)) await (await fetch(target.url)).text();

  log(`real rate: ${TARGETS} targets every 30 s, ${WINDOW_S} s window, baseline then monitor`);
  const baseline = await bareFetchLoop(servers.targets, INTERVAL_MS, WINDOW_S * 1000);
  const real = await monitorRun(FleetMonitor, servers.targets, INTERVAL_MS, WINDOW_S * 1000);
  results.realRate = {
    windowSeconds: WINDOW_S,
    baseline: { probes: baseline.probes, cpuPercent: cpuPercent(baseline) },
    monitorOverBaseline: round(cpuPercent(real) / cpuPercent(baseline)),
    monitor: {
      probes: real.probes,
      targetsUp: real.up,
      cpuPercent: cpuPercent(real),
      heapMB: mb(real.heapMonitorBytes),
      rssMB: mb(real.rssBytes),
    },
  };

  const fastInterval = 1000;
  log(
    `compressed: ${TARGETS} targets every ${fastInterval} ms (${INTERVAL_MS / fastInterval}x the rate), ${FAST_S} s each`,
  );
  const fastBaseline = await bareFetchLoop(servers.targets, fastInterval, FAST_S * 1000);
  const fast = await monitorRun(FleetMonitor, servers.targets, fastInterval, FAST_S * 1000);
  const probesPerSecondAt30s = TARGETS / (INTERVAL_MS / 1000);
  results.compressed = {
    intervalMs: fastInterval,
    windowSeconds: FAST_S,
    baseline: { probes: fastBaseline.probes, cpuMsPerProbe: round(cpuPerProbe(fastBaseline), 3) },
    monitor: { probes: fast.probes, cpuMsPerProbe: round(cpuPerProbe(fast), 3) },
    monitorOverBaseline: round(cpuPerProbe(fast) / cpuPerProbe(fastBaseline)),
    extrapolatedCpuPercentAt30s: {
      baseline: round((cpuPerProbe(fastBaseline) * probesPerSecondAt30s) / 10),
      monitor: round((cpuPerProbe(fast) * probesPerSecondAt30s) / 10),
    },
  };
  await servers.stop();
  servers = undefined;

  log(`database: ${DAYS} simulated days of ${TARGETS} targets at 30 s through record() + rollups`);
  results.database = await simulateDays(FleetMonitor, targetsForSimulation(TARGETS), DAYS);
} finally {
  await cleanUp();
}

function targetsForSimulation(count) {
  return Array.from({ length: count }, (_, i) => ({
    id: `svc-${i}`,
    kind: 'custom',
    host: `host-${i % 3}`,
    url: `http://127.0.0.1:9/svc-${i}/health`,
    intervalMs: INTERVAL_MS,
    timeoutMs: 5000,
    conditions: ['[STATUS] == 200'],
  }));
}

// The targets: the database under 50 MB; statuses() far inside the dashboard's 50 ms for /api/status.
const checks = judge(
  [
    [`database MB after ${DAYS} days`, results.database.fileMB, '<', 50],
    ['statuses() p99 ms', results.database.statusesMs.p99, '<', 50],
  ],
  { quiet: json },
);

if (json) console.log(JSON.stringify({ results, checks }, null, 2));
else {
  console.log(JSON.stringify(results, null, 2));
  console.table(checks);
}
