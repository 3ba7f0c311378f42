import { DeployError } from '../errors.ts';
import type { Executor } from '../executor.ts';
import { activateRelease, type ReleaseSwitch } from './activate-release.ts';
import { listReleases } from './list-releases.ts';
import { markReleaseUnverified } from './unverified-release.ts';

/** Options of {@link rollbackRelease}. */
export interface RollbackReleaseOptions {
  /** The release to go back to. @default the previous one (`<base>/previous`) */
  to?: string;
  /**
   * The release gone back to must pass a health gate before it counts as verified, as after a gated
   * activation (`activateReleaseStep`'s `gated`): it is marked unverified first, keeping the last
   * verified release, so a later failed deploy never rolls back to a release whose gate failed.
   * Remove the mark with `clearUnverifiedRelease` once its gate passed.
   * @default false
   */
  gated?: boolean;
}

/**
 * Point `current` back at the previous release, and `previous` at the release rolled back from:
 * an activation of the previous release, so a second rollback undoes the first (like `cd -`).
 * Pass `to` to go back further, to any release still on the host (pruning keeps five by
 * default, and always the current and previous ones).
 *
 * @throws {DeployError} `release_missing` when there is no current release, no previous one (and
 *   no `to`), or `to` is not on the host.
 * @example const { from, to } = await rollbackRelease(executor, '/opt/fleet/bus');
 */
export async function rollbackRelease(
  executor: Executor,
  base: string,
  options: RollbackReleaseOptions = {},
): Promise<ReleaseSwitch & { from: string }> {
  const list = await listReleases(executor, base);
  const from = list.current;
  if (from === undefined) {
    throw new DeployError('release_missing', `Nothing to roll back on ${executor.host}: ${base}/current is no release`);
  }
  const to = options.to ?? list.previous;
  if (to === undefined || to === from) {
    const why = to === undefined ? 'there is no previous release' : `the previous release is ${from}, the current one`;
    throw new DeployError('release_missing', `Cannot roll back ${base} on ${executor.host}: ${why}`);
  }
  if (!list.releases.includes(to)) {
    throw new DeployError('release_missing', `Cannot roll back ${base} on ${executor.host} to ${to}: it is not there`);
  }
  if (options.gated) await markReleaseUnverified(executor, base, to);
  const done = await activateRelease(executor, base, to);
  return { ...done, from };
}
