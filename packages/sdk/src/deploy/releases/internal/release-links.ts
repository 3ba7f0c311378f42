import { posix } from 'node:path';
import { isReleaseId } from '../release-id.ts';

/** What a `current` or `previous` link's target names: the release id, when it is one of `base`'s. */
export function releaseOfTarget(base: string, target: string | undefined): string | undefined {
  if (target === undefined) return undefined;
  const absolute = posix.isAbsolute(target);
  const path = posix.normalize(absolute ? target : posix.join(base, target));
  const id = posix.basename(path);
  const parent = posix.dirname(path);
  return parent === posix.join(base, 'releases') && isReleaseId(id) ? id : undefined;
}

/** The target `current` and `previous` are given: relative, so the tree can move as a whole. */
export function releaseTarget(id: string): string {
  return `releases/${id}`;
}

/** The host paths of a base's links. */
export function linkPaths(base: string): { current: string; previous: string } {
  const root = base.replace(/\/+$/, '');
  return { current: `${root}/current`, previous: `${root}/previous` };
}
