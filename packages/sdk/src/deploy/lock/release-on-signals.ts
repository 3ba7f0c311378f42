import { constants } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DeployLock } from './deploy-lock.ts';

/** Options of {@link releaseOnSignals}. */
export interface ReleaseOnSignalsOptions {
  /** @default ['SIGINT', 'SIGTERM'] */
  signals?: readonly NodeJS.Signals[];
  /** How long releasing may take before the process ends anyway. @default 10_000 */
  timeoutMs?: number;
}

/**
 * On Ctrl-C (SIGINT) or SIGTERM, release the lock, then end the process as the signal would have
 * (exit 130 or 143): the handlers are removed and the signal raised again. When other listeners
 * handle the signal too, they decide: only `process.exitCode` is set. A second signal while
 * releasing ends the process at once. SIGKILL cannot be caught: that lock stays until it is
 * stale. Returns a function that removes the handlers, for when the run is over.
 *
 * @example
 * const stop = releaseOnSignals(lock);
 * try { await deploy(); } finally { stop(); await lock.release(); }
 */
export function releaseOnSignals(lock: Pick<DeployLock, 'release'>, options: ReleaseOnSignalsOptions = {}): () => void {
  const signals = options.signals ?? ['SIGINT', 'SIGTERM'];
  const timeoutMs = options.timeoutMs ?? 10_000;
  const remove = (): void => {
    for (const signal of signals) process.off(signal, handler);
  };
  const handler = (signal: NodeJS.Signals): void => {
    remove();
    const timeout = new AbortController();
    const released = lock.release().catch(() => false);
    void Promise.race([released, sleep(timeoutMs, false, { signal: timeout.signal, ref: false })])
      .catch(() => false)
      .then(() => {
        timeout.abort();
        if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
        else process.exitCode = 128 + (constants.signals[signal] ?? 0);
      });
  };
  for (const signal of signals) process.on(signal, handler);
  return remove;
}
