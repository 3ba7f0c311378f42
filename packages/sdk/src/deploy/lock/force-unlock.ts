import { posix } from 'node:path';
import type { Executor } from '../executor.ts';
import { fromRoot, runScriptUnderFlock, scriptFailed } from '../internal/host-script.ts';
import { DEFAULT_DEPLOY_LOCK_DIR } from './deploy-lock-owner.ts';
import type { DeployLockStatus } from './deploy-lock-status.ts';
import { asideName } from './internal/held-lock.ts';
import { REMOVE } from './internal/lock-scripts.ts';
import { readDeployLock } from './read-deploy-lock.ts';

/** Options of {@link forceUnlock}. */
export interface ForceUnlockOptions {
  /** Only clear the lock if this run holds it. @default whoever holds it */
  runId?: string;
}

/** What {@link forceUnlock} found and did. */
export interface ForceUnlockResult {
  /** The lock directory was removed. */
  removed: boolean;
  /** Who held it, `undefined` when nobody did. */
  holder: DeployLockStatus | undefined;
}

/**
 * Clear a deploy lock explicitly (`--force-unlock`), whoever holds it, or with `runId` only that
 * run's. Its holder, if still running, finds out at its next heartbeat (`lost`).
 *
 * @example
 * const { removed, holder } = await forceUnlock(lockHost, undefined, { runId: 'r-20261205-1' });
 */
export async function forceUnlock(
  executor: Executor,
  dir: string = DEFAULT_DEPLOY_LOCK_DIR,
  options: ForceUnlockOptions = {},
): Promise<ForceUnlockResult> {
  const holder = await readDeployLock(executor, dir);
  if (holder === undefined) return { removed: false, holder };
  if (options.runId !== undefined && holder.owner?.runId !== options.runId) return { removed: false, holder };
  // owner.json is written by JSON.stringify, so the run's id reads exactly like this in it.
  const needle = options.runId === undefined ? '' : `"runId":${JSON.stringify(options.runId)}`;
  const what = `force-unlock the deploy lock ${dir}`;
  const args = [fromRoot(dir), needle, fromRoot(asideName(dir, 'unlocked'))];
  const result = await runScriptUnderFlock(executor, what, posix.dirname(dir), REMOVE, args, { create: false });
  if (result.exitCode !== 0 && result.exitCode !== 3) throw scriptFailed(executor, what, result);
  return { removed: result.exitCode === 0, holder };
}
