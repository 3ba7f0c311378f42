// Shared by the benchmark scripts: start a server process and wait for the URL it prints, pin cores,
// medians, the SDK directory to measure.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** True when this machine can pin processes to cores (taskset and at least two cores). */
export function canPinCores() {
  if (availableParallelism() < 2) return false;
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Pins the current process to `core`: every thread of it (`-a`), not only the main one, so that
 * V8's garbage collection and compiler threads of a load generator stay off the servers' core.
 */
export function pinSelf(core) {
  execFileSync('taskset', ['-a', '-cp', String(core), String(process.pid)], { stdio: 'ignore' });
}

/**
 * Starts `node <args>` (pinned to `core` when given) and resolves with the first URL it prints
 * and a `stop()` that sends SIGTERM and waits for the exit.
 */
export function startServer(args, { core } = {}) {
  const command = core === undefined ? process.execPath : 'taskset';
  const argv = core === undefined ? args : ['-c', String(core), process.execPath, ...args];
  const child = spawn(command, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = /(http:\/\/\S+)/.exec(out);
      if (match) resolve({ url: match[1].replace(/\/$/, ''), child, stop: () => stop(child) });
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
}

function stop(child) {
  return new Promise((resolve) => {
    // Gone already (exited, or killed by a signal such as the Ctrl-C that reached it too).
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', resolve);
    child.kill('SIGTERM');
  });
}

/**
 * p-th percentile (0..100) of a list of numbers, by nearest rank: the smallest value that at least
 * p% of the list is at or below (p99 of 1..100 is 99, p50 of [1, 2] is 1, p0 the minimum).
 */
export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
}

/**
 * Median of a list of numbers (the mean of the two middle ones for an even count): the median of
 * every bench's figures over rounds or runs. Where the median must be one whole run (its other
 * figures reported with it), {@link medianRun} picks the lower middle one instead.
 */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * The run whose `key` is the median of `runs` (the lower middle one for an even count), with `runs`
 * set to every run's `key`, rounded: a scenario's figures taken together from one of its rounds.
 */
export function medianRun(runs, key = 'perSecond') {
  const sorted = [...runs].sort((a, b) => a[key] - b[key]);
  return { ...sorted[Math.floor((sorted.length - 1) / 2)], runs: runs.map((r) => Math.round(r[key])) };
}

/**
 * The SDK package directory a benchmark measures: the first argument that is not a flag (another
 * checkout's `packages/sdk`, to compare before and after a change), else this checkout's. Exits with
 * a hint when its build is missing.
 */
export function sdkDirFromArgs(argv = process.argv.slice(2)) {
  const arg = argv.find((a) => !a.startsWith('-'));
  const dir = resolve(arg ?? fileURLToPath(new URL('../packages/sdk', import.meta.url)));
  if (!existsSync(join(dir, 'dist/index.js'))) {
    console.error(`${dir}/dist/index.js is missing: build the SDK first (npm run build -w @fleet/sdk)`);
    process.exit(1);
  }
  return dir;
}

/** CPU time (user + system, ms) a process has used so far, from /proc (0 when it is gone or /proc is missing). */
export function processCpuMs(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}

/**
 * CPU time (ms) used so far by each process named `postgres` (the server and its backends), by
 * pid: compare two readings pid by pid ({@link cpuSince}), since backends come and go.
 */
export function postgresCpuMs() {
  const byPid = new Map();
  for (const pid of existsSync('/proc') ? readdirSync('/proc') : []) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'postgres') byPid.set(pid, processCpuMs(pid));
    } catch {
      // The process ended meanwhile.
    }
  }
  return byPid;
}

/**
 * CPU time (ms) the processes of reading `now` used since reading `before` (both from
 * {@link postgresCpuMs}): a process that started in between counts whole; one that ended in
 * between is lost (its last figures died with it), so the sum is a lower bound.
 */
export function cpuSince(before, now) {
  let total = 0;
  for (const [pid, ms] of now) total += ms - (before.get(pid) ?? 0);
  return total;
}

/** Clock ticks per second of /proc's CPU times (`getconf CLK_TCK`; 100 on Linux almost everywhere). */
const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/**
 * Sweeps `store` after a bulk load of `events` audit events until its audit retention has caught
 * up (a sweep removes at most 100,000): a deep queue is measured as a bus that has settled after
 * the load, not while it works off the load's audit backlog.
 */
export async function settleAudit(store, events) {
  for (let i = 0; i <= Math.ceil(events / 100_000); i++) await store.sweep();
}
