import { constants } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DeployLock } from './deploy-lock.ts';

/** Options of {@link releaseOnSignals}. */
export interface ReleaseOnSignalsOptions {
  /** @default ['SIGINT', 'SIGTERM'] */
  signals?: readonly NodeJS.Signals[];
  /** Once the run has stopped, how long releasing may take before the process ends anyway. @default 10_000 */
  timeoutMs?: number;
}

function exitStatus(signal: NodeJS.Signals): number {
  return 128 + (constants.signals[signal] ?? 0);
}

/**
 * On Ctrl-C (SIGINT) or SIGTERM, stop the run: `lock.abort()` aborts `lock.signal`, and the lock
 * stays held (heartbeat and all) while the run winds down, its running commands killed and the
 * handlers and rollbacks they left due done, so no other run can start on a fleet this one still
 * changes. When the run is over, call the function this returns: it removes the handlers and, after
 * a signal, releases the lock (the caller's own `release()` shares that one) and ends the process as
 * the signal would have (exit 130 or 143); when other listeners handle the signal too, they decide,
 * and only `process.exitCode` is set. A second signal ends the process at once when nobody else
 * listens: the lock then stays until it is stale (or `forceUnlock`). SIGKILL cannot be caught
 * either.
 *
 * @example
 * const stop = releaseOnSignals(lock);
 * try {
 *   await runPlan(plan, { executor, mode: 'apply', signal: lock.signal });
 * } finally {
 *   await lock.release();
 *   stop();
 * }
 */
export function releaseOnSignals(
  lock: Pick<DeployLock, 'abort' | 'release'>,
  options: ReleaseOnSignalsOptions = {},
): () => void {
  const signals = options.signals ?? ['SIGINT', 'SIGTERM'];
  const timeoutMs = options.timeoutMs ?? 10_000;
  let received: NodeJS.Signals | undefined;
  const remove = (): void => {
    for (const signal of signals) process.off(signal, handler);
  };
  const handler = (signal: NodeJS.Signals): void => {
    const alone = process.listenerCount(signal) === 1;
    if (received === undefined) {
      received = signal;
      lock.abort(new Error(`the run was stopped by ${signal}`));
      if (!alone) process.exitCode = exitStatus(signal);
    } else if (alone) {
      remove();
      process.kill(process.pid, signal);
    }
  };
  for (const signal of signals) process.on(signal, handler);
  let stopped = false;
  return () => {
    if (stopped) return;
    stopped = true;
    remove();
    const signal = received;
    if (signal === undefined) return;
    const timeout = new AbortController();
    const released = lock.release().catch(() => false);
    void Promise.race([released, sleep(timeoutMs, false, { signal: timeout.signal, ref: false })])
      .catch(() => false)
      .then(() => {
        timeout.abort();
        if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
        else process.exitCode = exitStatus(signal);
      });
  };
}
