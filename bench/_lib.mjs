// Shared by the benchmark scripts: start a server process and wait for the URL it prints, pin cores.
import { execFileSync, spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';

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

/** Pins the current process to `core`. */
export function pinSelf(core) {
  execFileSync('taskset', ['-cp', String(core), String(process.pid)], { stdio: 'ignore' });
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
    if (child.exitCode !== null) return resolve();
    child.once('exit', resolve);
    child.kill('SIGTERM');
  });
}

/** p-th percentile (0..100) of a list of numbers. */
export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
