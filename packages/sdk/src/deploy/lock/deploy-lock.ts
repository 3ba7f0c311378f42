import type { Executor } from '../executor.ts';
import type { DeployLockError } from './deploy-lock-error.ts';
import type { DeployLockOwner } from './deploy-lock-owner.ts';
import type { DeployLockStatus } from './deploy-lock-status.ts';

/**
 * A held deploy lock (from `acquireDeployLock`). Its heartbeat runs on a timer (unref'd: it never
 * keeps the process alive). Release it in `finally`, or hold it with `await using`.
 */
export interface DeployLock extends AsyncDisposable {
  /** The lock host. */
  readonly executor: Executor;
  /** The lock directory on it. */
  readonly dir: string;
  /** What this holder wrote to `owner.json`. */
  readonly owner: DeployLockOwner;
  /** The stale lock this one replaced, if it was taken over. */
  readonly tookOver: DeployLockStatus | undefined;
  /**
   * Resolves (never rejects) with a `deploy_lock_lost` error once the lock is lost: no heartbeat
   * got through for `ttlMs - heartbeatMs` (the lock host is unreachable), or the lock was
   * force-unlocked or taken over. A runner stops then; see also {@link DeployLock.signal}.
   */
  readonly lost: Promise<DeployLockError>;
  /**
   * Stops the run that holds the lock: pass it to `runPlan`. Aborted when the lock is lost (the
   * `lost` error its reason), by {@link DeployLock.abort} (Ctrl-C, through `releaseOnSignals`), and
   * when the lock is released, so nothing can go on working without it.
   */
  readonly signal: AbortSignal;
  /** True once the lock is lost. */
  readonly isLost: boolean;
  /**
   * A heartbeat now (the timer runs them anyway), e.g. before each phase.
   *
   * @throws {DeployLockError} `deploy_lock_lost` once the lock is lost.
   * @throws {DeployError} `executor_failed` when the lock host could not be reached this time (the
   *   lock is not lost yet: the timer keeps trying until `ttlMs - heartbeatMs` have passed).
   */
  heartbeat(): Promise<void>;
  /**
   * Aborts {@link DeployLock.signal} with `reason` and keeps the lock (its heartbeat goes on): the
   * run stops, then releases it once it has really stopped (its handlers and rollbacks done), so no
   * other run starts while this one still works. Does nothing once `signal` is aborted.
   */
  abort(reason?: unknown): void;
  /**
   * Aborts {@link DeployLock.signal}, stops the heartbeat and removes the lock directory if it is
   * still this holder's (even after the lock was reported lost for want of heartbeats: then nobody
   * took it over). Call it once the run has stopped. Resolves `true` when it removed it, `false`
   * when it was no longer this holder's; a second call returns the first's promise.
   *
   * @throws {DeployError} `executor_failed` when the lock host could not be reached: the lock
   *   stays until it is stale.
   */
  release(): Promise<boolean>;
}
