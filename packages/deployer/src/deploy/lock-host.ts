import {
  type DeployHistory,
  type DeployHookHistory,
  type DeployLockStatus,
  type Executor,
  type ForceUnlockResult,
  forceUnlock,
  readDeployHistory,
  readDeployLock,
} from '@fleet/sdk/deploy';
import { deployLockHost } from '@fleet/sdk/fleet';
import { DeployUsageError } from './deploy-usage-error.ts';
import { type FleetSessionOptions, openFleetSession } from './internal/fleet-session.ts';

/** Options of the lock host's operations: which fleet file, and how to reach its lock host. */
export type LockHostOptions = Pick<FleetSessionOptions, 'config' | 'configText' | 'env' | 'connect' | 'ssh'>;

/**
 * Runs `operation` against the fleet's lock host and closes the connection. Aborting `signal`
 * closes the connection, which ends what was under way there, then rejects with its reason.
 */
async function onLockHost<T>(
  options: LockHostOptions,
  operation: (lock: { executor: Executor; dir: string; historyFile: string; ttlMs: number }) => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  signal?.throwIfAborted();
  const session = await openFleetSession(options);
  try {
    signal?.throwIfAborted();
    const host = deployLockHost(session.fleet);
    if (host === undefined) throw new DeployUsageError('no host has an ssh block: there is no deploy lock host');
    const { layout, settings } = session;
    const running = operation({
      executor: session.executorOf(host),
      dir: layout.lockDir,
      historyFile: layout.historyFile,
      ttlMs: settings.lock.ttl,
    });
    return await (signal ? rejectOnAbort(running, signal) : running);
  } finally {
    await session.close();
  }
}

/** `promise`, or a rejection with `signal`'s reason as soon as it aborts (a later rejection of `promise` is ignored). */
function rejectOnAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      promise.catch(() => {});
      reject(signal.reason);
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/**
 * The newest deploy runs from the history on the fleet's lock host, newest first. Aborting `signal`
 * closes the connection to the lock host and rejects with its reason.
 */
export function deployHistory(
  options: LockHostOptions & { limit?: number; signal?: AbortSignal } = {},
): Promise<DeployHistory> {
  return onLockHost(
    options,
    ({ executor, historyFile }) =>
      readDeployHistory(executor, { file: historyFile, ...(options.limit ? { limit: options.limit } : {}) }),
    options.signal,
  );
}

/**
 * The deploy hook's `history` option for a fleet file: {@link deployHistory} on its lock host (the
 * runs; lines that are not runs are left out), read afresh at every `GET /deploys`. A request that
 * ends first (the client went away, the server is closing) closes its connection to the lock host.
 *
 * @example
 * await startDeployHookServer({ ...target, run, history: fleetDeployHistory({ config: 'fleet.yaml' }) });
 */
export function fleetDeployHistory(options: LockHostOptions = {}): DeployHookHistory {
  return async (limit, signal) => (await deployHistory({ ...options, limit, ...(signal ? { signal } : {}) })).runs;
}

/** Who holds the fleet's deploy lock, if anyone. */
export function deployLockStatus(options: LockHostOptions = {}): Promise<DeployLockStatus | undefined> {
  return onLockHost(options, ({ executor, dir, ttlMs }) => readDeployLock(executor, dir, { ttlMs }));
}

/** Clears the fleet's deploy lock (`fleet deploy unlock`); with `runId`, only that run's. */
export function unlockDeploy(options: LockHostOptions & { runId?: string } = {}): Promise<ForceUnlockResult> {
  return onLockHost(options, ({ executor, dir }) =>
    forceUnlock(executor, dir, options.runId === undefined ? {} : { runId: options.runId }),
  );
}
