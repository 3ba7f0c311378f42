import type { Executor } from '../executor.ts';
import { fromRoot, runScript, scriptFailed } from '../internal/host-script.ts';
import { DEFAULT_DEPLOY_LOCK_DIR, DEFAULT_DEPLOY_LOCK_TTL_MS } from './deploy-lock-owner.ts';
import type { DeployLockStatus } from './deploy-lock-status.ts';
import { READ } from './internal/lock-scripts.ts';
import { parseLockStatus } from './internal/parse-lock-status.ts';

/** Options of {@link readDeployLock}. */
export interface ReadDeployLockOptions {
  /** The TTL for a lock whose owner is unknown (no `owner.json`). @default 120_000 */
  ttlMs?: number;
}

/**
 * Who holds the deploy lock, how long ago it last showed signs of life and whether it is stale;
 * `undefined` when nobody holds it. One command on the lock host.
 *
 * @example
 * const held = await readDeployLock(lockHost);
 * if (held) console.log(`${held.owner?.user} deploys ${held.owner?.commit}`);
 */
export async function readDeployLock(
  executor: Executor,
  dir: string = DEFAULT_DEPLOY_LOCK_DIR,
  options: ReadDeployLockOptions = {},
): Promise<DeployLockStatus | undefined> {
  const result = await runScript(executor, `read the deploy lock ${dir}`, READ, [fromRoot(dir)]);
  if (result.exitCode !== 0) throw scriptFailed(executor, `read the deploy lock ${dir}`, result);
  return parseLockStatus(result.stdout, dir, executor.host, options.ttlMs ?? DEFAULT_DEPLOY_LOCK_TTL_MS);
}
