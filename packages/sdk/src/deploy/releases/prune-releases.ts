import { DeployError } from '../errors.ts';
import type { Executor } from '../executor.ts';
import { fromRoot, runScript, scriptFailed } from '../internal/host-script.ts';
import { listReleases, type ReleaseList } from './list-releases.ts';

/** Options of {@link pruneReleases}. */
export interface PruneReleasesOptions {
  /** How many of the newest releases to keep; the current and previous ones are kept on top. @default 5 */
  keep?: number;
}

/** What {@link pruneReleases} removed and kept, oldest first. */
export interface PruneReleasesResult {
  removed: string[];
  kept: string[];
}

/** The default of {@link PruneReleasesOptions.keep}. */
export const DEFAULT_KEEP_RELEASES = 5;

/**
 * Which releases of `list` a prune removes: all but the newest `keep`, the current, the previous and,
 * while the current one is unverified, the last verified one (a failed gate rolls back to it).
 */
export function releasesToPrune(list: ReleaseList, keep: number = DEFAULT_KEEP_RELEASES): string[] {
  if (!Number.isInteger(keep) || keep < 1) {
    throw new DeployError('invalid_plan', `keep must be a whole number of at least 1, got ${keep}`);
  }
  const newest = new Set(list.releases.slice(-keep));
  const kept = new Set([list.current, list.previous, list.verified]);
  return list.releases.filter((id) => !newest.has(id) && !kept.has(id));
}

// Each release is renamed to a hidden name first, then removed: one cut short half-way is hidden
// from listReleases (never activated half-removed) and finished by the next prune.
const PRUNE = `cd -- "$1/releases" || exit 2; shift
for d in .prune-*; do [ -e "$d" ] && rm -rf -- "$d"; done
for id do
  mv -T -- "$id" ".prune-$id" && rm -rf -- ".prune-$id" || exit 2
done`;

/**
 * Remove old releases under `<base>/releases`: all but the newest `keep`, and never the current
 * or previous release, nor the last verified one while the current is unverified, even when they
 * are older (so a rollback always has somewhere to go).
 *
 * @example const { removed } = await pruneReleases(executor, '/opt/fleet/bus', { keep: 5 });
 */
export async function pruneReleases(
  executor: Executor,
  base: string,
  options: PruneReleasesOptions = {},
): Promise<PruneReleasesResult> {
  const list = await listReleases(executor, base);
  const removed = releasesToPrune(list, options.keep);
  if (removed.length > 0) {
    const what = `remove old releases of ${base}`;
    const result = await runScript(executor, what, PRUNE, [fromRoot(base), ...removed], { timeoutMs: 600_000 });
    if (result.exitCode !== 0) throw scriptFailed(executor, what, result);
  }
  return { removed, kept: list.releases.filter((id) => !removed.includes(id)) };
}
