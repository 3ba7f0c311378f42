import { DeployError, type Executor } from '@fleet/sdk/deploy';
import { BUNDLE_MARKER } from './release-id.ts';

/** A release directory on a host. */
export interface FoundRelease {
  /** Its name under `releases/`, e.g. `20250601T123000Z-3f2a9c1b7d0e`. */
  name: string;
  /** Its absolute host path. */
  path: string;
}

/**
 * The complete release of `bundle` under `<base>/releases/`, if the host has one: a directory whose
 * name ends with `-<bundle.id>` and whose {@link BUNDLE_MARKER} holds the bundle's SHA-256. The
 * newest, when there are several. Read-only: one `find` and one probe.
 */
export async function findBundleRelease(
  executor: Executor,
  base: string,
  bundle: { id: string; sha256: string },
  signal?: AbortSignal,
): Promise<FoundRelease | undefined> {
  const releases = `${base}/releases`;
  const [directory] = await executor.probe([{ path: releases }]);
  if (!directory?.exists) return undefined;
  if (directory.type !== 'directory') {
    throw new DeployError('path_conflict', `${releases} is a ${directory.type}, not a directory`);
  }
  const found = await executor.run(
    ['find', '.', '-mindepth', '2', '-maxdepth', '2', '-type', 'f', '-path', `./*-${bundle.id}/${BUNDLE_MARKER}`],
    { cwd: releases, ...(signal === undefined ? {} : { signal }) },
  );
  if (found.exitCode !== 0) {
    throw new DeployError('command_failed', `Listing the releases in ${releases} failed`, { output: found.output });
  }
  const names = found.stdout
    .split('\n')
    .map((line) => line.slice(2, -(BUNDLE_MARKER.length + 1)))
    .filter((name) => name !== '')
    .sort()
    .reverse();
  const markers = await executor.probe(
    names.map((name) => ({ path: `${releases}/${name}/${BUNDLE_MARKER}`, content: true })),
  );
  const index = markers.findIndex((marker) => marker.exists && marker.content?.trim() === bundle.sha256);
  const name = names[index];
  return name === undefined ? undefined : { name, path: `${releases}/${name}` };
}
