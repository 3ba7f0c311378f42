import { DeployError, type Executor, isSystemdUnitName } from '@fleet/sdk/deploy';

/**
 * The unit files a release keeps in `dir` (its `units/`, see `SiteLayout.releaseUnits`), by unit
 * name, sorted; `undefined` when there is no such directory: a release made before releases kept
 * their units. One probe, one `find`, one probe of the files.
 *
 * @throws {DeployError} `command_failed` when the directory cannot be listed or a unit file read.
 */
export async function readReleaseUnits(executor: Executor, dir: string): Promise<Record<string, string> | undefined> {
  const [found] = await executor.probe([{ path: dir }]);
  if (!found?.exists || found.type !== 'directory') return undefined;
  const listed = await executor.run([
    'find',
    dir,
    '-mindepth',
    '1',
    '-maxdepth',
    '1',
    '-type',
    'f',
    '-printf',
    '%f\\n',
  ]);
  if (listed.exitCode !== 0) {
    throw new DeployError('command_failed', `Listing the unit files in ${dir} failed`, { output: listed.output });
  }
  const names = listed.stdout
    .split('\n')
    // Only the names systemdUnitStep accepts: nothing else in the directory is taken for a unit.
    .filter(isSystemdUnitName)
    .sort();
  const files = await executor.probe(
    names.map((name) => ({ path: `${dir}/${name}`, content: true, maxBytes: Number.MAX_SAFE_INTEGER })),
  );
  const units: Record<string, string> = {};
  for (const [index, name] of names.entries()) {
    const file = files[index];
    if (!file?.exists || file.content === undefined) {
      throw new DeployError('command_failed', `Reading the unit file ${dir}/${name} failed`);
    }
    units[name] = file.content;
  }
  return units;
}
