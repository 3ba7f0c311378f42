import { DeployError } from '../errors.ts';
import type { Executor } from '../executor.ts';
import { linkPaths, releaseOfTarget, releaseTarget } from './internal/release-links.ts';
import { assertReleaseId, releasePath } from './release-id.ts';

/** What {@link activateRelease} or {@link rollbackRelease} did. */
export interface ReleaseSwitch {
  /** The release `current` pointed to before, if any. */
  from?: string;
  /** The release `current` points to now. */
  to: string;
  /** False when `current` already pointed to `to`: nothing was touched. */
  changed: boolean;
}

/**
 * Make release `id` the current one: `<base>/previous` is pointed at what `current` pointed to,
 * then `<base>/current` at `releases/<id>`, each swapped atomically (a temp symlink renamed over
 * the old one: the link never disappears, not even for a moment). Targets are relative
 * (`releases/<id>`). Already current: nothing changes.
 *
 * @throws {DeployError} `release_missing` when `<base>/releases/<id>` is not a directory;
 *   `path_conflict` when `current` or `previous` is something other than a symlink.
 * @example await activateRelease(executor, '/opt/fleet/bus', '20261205T143001Z-abc1234');
 */
export async function activateRelease(executor: Executor, base: string, id: string): Promise<ReleaseSwitch> {
  assertReleaseId(id);
  const links = linkPaths(base);
  const directory = releasePath(base, id);
  const [release, current, previous] = await executor.probe([
    { path: directory },
    { path: links.current },
    { path: links.previous },
  ]);
  if (!release?.exists || release.type !== 'directory') {
    throw new DeployError('release_missing', `Release ${id} is not on ${executor.host}: ${directory} is no directory`);
  }
  for (const link of [current, previous]) {
    if (link?.exists && link.type !== 'symlink') {
      throw new DeployError('path_conflict', `${link.path} is a ${link.type}, not a symlink: refusing to replace it`);
    }
  }
  const target = current?.exists ? current.target : undefined;
  const from = releaseOfTarget(base, target);
  if (from === id) return { from, to: id, changed: false };
  if (target !== undefined) await executor.symlink(target, links.previous);
  await executor.symlink(releaseTarget(id), links.current);
  return { ...(from === undefined ? {} : { from }), to: id, changed: true };
}
