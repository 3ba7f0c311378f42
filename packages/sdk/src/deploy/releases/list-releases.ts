import type { Executor } from '../executor.ts';
import { fromRoot, runScript, scriptFailed } from '../internal/host-script.ts';
import { releaseOfTarget } from './internal/release-links.ts';
import { isReleaseId } from './release-id.ts';
import { parseUnverified, type UnverifiedRelease } from './unverified-release.ts';

/** The releases of a base directory, as {@link listReleases} found them. */
export interface ReleaseList {
  /** The base directory, e.g. `/opt/fleet/bus`. */
  base: string;
  /** The release ids under `<base>/releases`, oldest first (ids sort by age). */
  releases: string[];
  /** The release `<base>/current` points to, if it points to one. */
  current?: string;
  /** The release `<base>/previous` points to: the one `current` pointed to before the last activation. */
  previous?: string;
  /**
   * When `current` is unverified (activated by a gated activation whose gate has not passed yet, see
   * `unverifiedRelease`): the last release that passed its gate, where a deploy's rollback goes.
   */
  verified?: string;
  /**
   * The unverified mark of `current` (see `unverifiedRelease`), as one read after this list would
   * return it: absent when `current` passed its gate, or when the mark names another release.
   */
  unverified?: UnverifiedRelease;
}

// Prints `r <id>` for each directory under releases/ (not hidden, not a symlink), then `c <target>`
// and `p <target>` for the current and previous links, and `u <json>` for the unverified mark (one
// line). Nothing at all when base is missing.
const LIST = `cd -- "$1" 2>/dev/null || exit 0
for d in releases/*; do
  [ -d "$d" ] && [ ! -L "$d" ] && printf 'r %s\\n' "\${d#releases/}"
done
t=$(readlink current) && printf 'c %s\\n' "$t"
t=$(readlink previous) && printf 'p %s\\n' "$t"
[ -f unverified.json ] && t=$(head -c 4096 unverified.json) && printf 'u %s\\n' "$t"
exit 0`;

/**
 * The releases under `<base>/releases`, which of them `current` and `previous` point to, and the
 * last verified one when `current` is unverified, in one command. Names that cannot be release ids are left out (and never pruned), such as a
 * `<id>.partial` directory a bundle step was extracting into when it was killed.
 *
 * @example
 * const { releases, current, previous } = await listReleases(executor, '/opt/fleet/bus');
 */
export async function listReleases(executor: Executor, base: string): Promise<ReleaseList> {
  const result = await runScript(executor, `list the releases of ${base}`, LIST, [fromRoot(base)]);
  if (result.exitCode !== 0) throw scriptFailed(executor, `list the releases of ${base}`, result);
  const list: ReleaseList = { base, releases: [] };
  let marker: UnverifiedRelease | undefined;
  for (const line of result.stdout.split('\n')) {
    const value = line.slice(2);
    if (line.startsWith('r ') && isReleaseId(value)) list.releases.push(value);
    const id = releaseOfTarget(base, value);
    if (line.startsWith('c ') && id !== undefined) list.current = id;
    if (line.startsWith('p ') && id !== undefined) list.previous = id;
    if (line.startsWith('u ')) marker = parseUnverified(value);
  }
  // A mark naming another release than the current one is stale (see unverifiedRelease).
  if (marker !== undefined && marker.release === list.current) {
    list.unverified = marker;
    if (marker.verified !== undefined) list.verified = marker.verified;
  }
  list.releases.sort();
  return list;
}
