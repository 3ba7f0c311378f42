import { randomBytes } from 'node:crypto';
import { link, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DeployError } from '../../errors.ts';

/** Past this age a lock file is stale, whoever holds it: what it guards takes milliseconds. */
const STALE_MS = 30_000;
/** How long to wait for another process's lock before giving up. */
const WAIT_MS = 10_000;
const RETRY_MS = 20;

// The tail of each resolved path's queue in this process; it never rejects.
const queues = new Map<string, Promise<unknown>>();

// The tokens of the lock files this process holds now. A lock file naming this process with
// another token is stale: the queue lets one call per path in, and that call does not hold it.
const held = new Set<string>();

/**
 * Runs `task` while holding `file`: one task per resolved path at a time in this process, and
 * across processes the exclusively created `<file>.lock` (pid, host and a token inside; none when
 * the directory is not writable). A lock file whose process is gone (same host), that names this
 * process but none of the locks it holds (one a takeover race put back), or that is older than
 * 30 s is taken over; one held longer than 10 s by a live process is an `executor_failed` error
 * naming it.
 */
export function withFileLock<T>(file: string, task: () => Promise<T>): Promise<T> {
  const path = resolve(file);
  const run = (queues.get(path) ?? Promise.resolve()).then(() => holdingLockFile(`${path}.lock`, task));
  const tail = run.then(
    () => {},
    () => {},
  );
  queues.set(path, tail);
  void tail.then(() => {
    if (queues.get(path) === tail) queues.delete(path);
  });
  return run;
}

async function holdingLockFile<T>(lock: string, task: () => Promise<T>): Promise<T> {
  const token = `${process.pid} ${hostname()} ${randomBytes(8).toString('hex')}\n`;
  await acquire(lock, token);
  held.add(token);
  try {
    return await task();
  } finally {
    held.delete(token);
    // Not if it was taken over meanwhile: that one is someone else's now. Nor if it is missing (a
    // takeover moved it aside for a moment): if it comes back, it names this process with a token
    // no longer held, so the next caller takes it over at once.
    if ((await readHolder(lock)) === token) await unlink(lock).catch(() => {});
  }
}

async function acquire(lock: string, token: string): Promise<void> {
  const deadline = performance.now() + WAIT_MS;
  for (;;) {
    try {
      const handle = await open(lock, 'wx', 0o600);
      try {
        await handle.writeFile(token);
      } finally {
        await handle.close();
      }
      return;
    } catch (error) {
      // A directory this user may not write to (a file it may): the in-process queue is all there is.
      if ((error as NodeJS.ErrnoException).code === 'EACCES') return;
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = await readHolder(lock);
    if (holder === undefined) continue;
    if (await isStale(lock, holder)) {
      await removeStale(lock, holder);
      continue;
    }
    if (performance.now() > deadline) {
      const [pid = '?', host = '?'] = holder.split(' ');
      throw new DeployError(
        'executor_failed',
        `Could not lock ${lock}: process ${pid} on ${host} holds it (remove the file if that process is gone)`,
      );
    }
    await sleep(RETRY_MS);
  }
}

async function readHolder(lock: string): Promise<string | undefined> {
  try {
    return await readFile(lock, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

async function isStale(lock: string, holder: string): Promise<boolean> {
  const [pid, host] = holder.split(' ');
  if (host === hostname() && pid === String(process.pid)) return !held.has(holder);
  if (host === hostname() && /^[1-9]\d*$/.test(pid ?? '') && !isAlive(Number(pid))) return true;
  // An empty file is one being written now, unless it is old.
  const stats = await stat(lock).catch(() => undefined);
  return stats !== undefined && Date.now() - stats.mtimeMs > STALE_MS;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes the stale lock `holder`, and only it: another process may have replaced it meanwhile. */
async function removeStale(lock: string, holder: string): Promise<void> {
  const aside = `${lock}.${randomBytes(6).toString('hex')}.stale`;
  try {
    await rename(lock, aside);
  } catch {
    return; // Another process removed it first.
  }
  // A fresh lock moved aside by mistake goes back, unless a newer one has taken its place.
  if ((await readHolder(aside)) !== holder) await link(aside, lock).catch(() => {});
  await unlink(aside).catch(() => {});
}
