import { execFile, spawnSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** Every test-host namespace is named `fleet-test-<owner pid>-<hex>-<index>`. */
export const NETNS_PREFIX = 'fleet-test-';
/** Every run's temp dir is named `fleet-test-hosts-<owner pid>-<hex>-<mkdtemp suffix>`. */
export const TMPDIR_PREFIX = 'fleet-test-hosts-';
const OWNED = /^fleet-test-(?:hosts-)?(\d+)-[0-9a-f]+-/;

/** Runs a command (no shell) and resolves with its stdout; rejects with its stderr. */
export function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(' ')} failed: ${stderr.trim() || error.message}`));
      else resolve(stdout);
    });
  });
}

/** The pids of every process whose network namespace is `netns` (sshd, its sessions, what they started). */
export function netnsPids(netns: string): number[] {
  const result = spawnSync('ip', ['netns', 'pids', netns], { encoding: 'utf8' });
  if (result.status !== 0) return [];
  return result.stdout.split('\n').filter(Boolean).map(Number);
}

/** Sends `signal` to every process in the namespace; a process that is already gone is fine. */
export function signalNetns(netns: string, signal: NodeJS.Signals): void {
  for (const pid of netnsPids(netns)) {
    try {
      process.kill(pid, signal);
    } catch {
      // Exited between the listing and the signal.
    }
  }
}

/** SIGTERM to everything in the namespace, SIGKILL to what is still there after `graceMs`. */
export async function stopNetnsProcesses(netns: string, graceMs = 2_000): Promise<void> {
  signalNetns(netns, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (netnsPids(netns).length > 0 && Date.now() < deadline) await sleep(50);
  for (let i = 0; i < 40 && netnsPids(netns).length > 0; i++) {
    signalNetns(netns, 'SIGKILL');
    await sleep(50);
  }
}

/** Kills everything in a namespace and deletes it (its veth pair goes with it), synchronously. */
export function destroyNetnsSync(netns: string, rootVeth?: string): void {
  signalNetns(netns, 'SIGKILL');
  spawnSync('ip', ['netns', 'del', netns], { stdio: 'ignore' });
  if (rootVeth) spawnSync('ip', ['link', 'del', rootVeth], { stdio: 'ignore' });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Deletes the namespaces and temp dirs that earlier runs left behind (their owner process is
 * gone: killed with SIGKILL, or a crash). Namespaces of runs still alive, such as another test
 * file's in a parallel worker, are left alone.
 */
export function sweepLeftovers(): void {
  const list = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  for (const line of list.stdout?.split('\n') ?? []) {
    const name = line.split(' ')[0] ?? '';
    const owner = OWNED.exec(name)?.[1];
    if (name.startsWith(NETNS_PREFIX) && owner && !isAlive(Number(owner))) destroyNetnsSync(name);
  }
  for (const entry of readdirSync(tmpdir())) {
    const owner = OWNED.exec(entry)?.[1];
    if (entry.startsWith(TMPDIR_PREFIX) && owner && !isAlive(Number(owner))) {
      rmSync(join(tmpdir(), entry), { recursive: true, force: true });
    }
  }
}

/**
 * A free 10.213.X.0/24 for this run: X random, and no route in the root namespace overlaps it
 * (neither a route covering it other than the default one, nor one inside it, e.g. another run's).
 */
export async function pickSubnet(): Promise<number> {
  for (let attempt = 0; attempt < 32; attempt++) {
    const x = Math.floor(Math.random() * 256);
    const prefix = `10.213.${x}.0/24`;
    const covering = await run('ip', ['-4', 'route', 'show', 'match', prefix]);
    const inside = await run('ip', ['-4', 'route', 'show', 'root', prefix]);
    const routes = `${covering}\n${inside}`.split('\n').filter((line) => line && !line.startsWith('default'));
    if (routes.length === 0) return x;
  }
  throw new Error('no free 10.213.X.0/24 subnet for the test hosts after 32 tries');
}

const exitCleanups = new Set<() => void>();
let hooked = false;

function runExitCleanups(): void {
  for (const cleanup of exitCleanups) {
    try {
      cleanup();
    } catch {
      // Best effort while the process goes away; the next run's sweep catches the rest.
    }
  }
  exitCleanups.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  runExitCleanups();
  // Only the default behaviour (dying of the signal) is restored; another listener decides itself.
  if (process.listenerCount(signal) === 1) {
    process.removeListener(signal, onSignal);
    process.kill(process.pid, signal);
  }
}

/**
 * Registers a synchronous cleanup that runs if the process exits (or is sent SIGINT, SIGTERM or
 * SIGHUP) before it is unregistered. Returns the function that unregisters it.
 */
export function onProcessExit(cleanup: () => void): () => void {
  if (!hooked) {
    hooked = true;
    process.once('exit', runExitCleanups);
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);
  }
  exitCleanups.add(cleanup);
  return () => exitCleanups.delete(cleanup);
}
