import type { Executor } from '../executor.ts';
import { fromRoot, runScript, scriptFailed } from '../internal/host-script.ts';
import { linkPaths, releaseOfTarget } from './internal/release-links.ts';

/**
 * A release made current that has not passed its health gate yet, as `<base>/unverified.json`
 * records it: written before `current` is swapped to it (see `activateReleaseStep`'s `gated`),
 * removed once its gate passed ({@link clearUnverifiedRelease}). A run killed in between leaves
 * it, so the next run knows the release it finds current was never verified, and which one was.
 */
export interface UnverifiedRelease {
  /** The release activated without its gate passing yet. */
  release: string;
  /** The last release that passed its gate, where a rollback goes; none on a host's first deploy. */
  verified?: string;
}

/** The marker's path: `<base>/unverified.json`, next to `current` and `previous`. */
export function unverifiedPath(base: string): string {
  return `${base.replace(/\/+$/, '')}/unverified.json`;
}

/** The mark's content as {@link UnverifiedRelease}; undefined when absent or not one. */
export function parseUnverified(content: string | undefined): UnverifiedRelease | undefined {
  if (content === undefined) return undefined;
  try {
    const value = JSON.parse(content) as Partial<UnverifiedRelease>;
    if (typeof value.release !== 'string') return undefined;
    return { release: value.release, ...(typeof value.verified === 'string' ? { verified: value.verified } : {}) };
  } catch {
    return undefined;
  }
}

/** The marker and the release `current` names, in one probe. */
async function readState(executor: Executor, base: string): Promise<{ marker?: UnverifiedRelease; current?: string }> {
  const [marker, current] = await executor.probe([
    { path: unverifiedPath(base), content: true, maxBytes: 4096 },
    { path: linkPaths(base).current },
  ]);
  const found = parseUnverified(marker?.exists && marker.type === 'file' ? marker.content : undefined);
  const id = current?.exists && current.type === 'symlink' ? releaseOfTarget(base, current.target) : undefined;
  return { ...(found ? { marker: found } : {}), ...(id ? { current: id } : {}) };
}

/**
 * The current release of `base` when it is unverified: the marker names it. A marker naming
 * another release is stale (a run killed before its swap, a manual rollback) and ignored.
 *
 * @example const unverified = await unverifiedRelease(executor, '/opt/fleet/app'); // { release, verified }
 */
export async function unverifiedRelease(executor: Executor, base: string): Promise<UnverifiedRelease | undefined> {
  const { marker, current } = await readState(executor, base);
  return marker !== undefined && marker.release === current ? marker : undefined;
}

/**
 * Records that release `id` is about to become current unverified. The last verified release is
 * the one the marker already keeps when the current release is unverified too (a killed run's), else
 * the current release: a host's current release without a marker passed its gate (or predates markers).
 */
export async function markReleaseUnverified(executor: Executor, base: string, id: string): Promise<UnverifiedRelease> {
  const { marker, current } = await readState(executor, base);
  const verified = marker !== undefined && marker.release === current ? marker.verified : current;
  const record: UnverifiedRelease = { release: id, ...(verified === undefined ? {} : { verified }) };
  await executor.writeFile(unverifiedPath(base), `${JSON.stringify(record)}\n`, { mode: 0o644 });
  return record;
}

// Removes the marker only while it names the release ($2): one run's clear never drops another's.
const CLEAR = `f=$1; id=$2
[ -f "$f" ] || exit 0
grep -q -F -- "\\"release\\":\\"$id\\"" "$f" && rm -f -- "$f"
exit 0`;

/**
 * Removes the marker of release `id` once its gate passed; a marker naming another release stays.
 *
 * @example await clearUnverifiedRelease(executor, '/opt/fleet/app', site.releaseId);
 */
export async function clearUnverifiedRelease(executor: Executor, base: string, id: string): Promise<void> {
  const what = `clear the unverified mark of release ${id}`;
  const result = await runScript(executor, what, CLEAR, [fromRoot(unverifiedPath(base)), id]);
  if (result.exitCode !== 0) throw scriptFailed(executor, what, result);
}
