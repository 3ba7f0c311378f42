import { access, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { FleetProblem } from '@fleet/sdk';
import { demoFleetYaml, type Fleet, loadFleetFile } from '@fleet/sdk/fleet';

/** The fleet file has errors: `fleet up` will not start a fleet it cannot describe. */
export class FleetFileError extends Error {
  override name = 'FleetFileError' as const;
  /** Every error (and warning) found, in document order. */
  readonly problems: FleetProblem[];

  constructor(file: string, problems: FleetProblem[]) {
    const errors = problems.filter((problem) => problem.severity === 'error').length;
    super(
      `${file} has ${errors} error${errors === 1 ? '' : 's'}; fix ${errors === 1 ? 'it' : 'them'} (fleet doctor checks the file)`,
    );
    this.problems = problems;
  }
}

/** What {@link prepareFleetFile} found. */
export interface PreparedFleetFile {
  fleet: Fleet;
  /** Problems that did not stop the file from loading. */
  warnings: FleetProblem[];
  /** True when the file did not exist and the demo fleet file was written. */
  wrote: boolean;
}

/** `fleet up`'s state directory (databases, and the demo fleet file when there is no `./fleet.yaml`). */
export const DEFAULT_FLEET_DIR = '.fleet';

/** Whether something exists at `path` (one the process may see). */
export async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * The fleet file to use when none is named: `./fleet.yaml` when it exists (a fleet of your own),
 * else `<dir>/fleet.yaml`, where `fleet up` keeps its demo fleet file next to its databases, out
 * of the way of the project it runs in (`.fleet/` is meant to be ignored by git).
 *
 * @example
 * await defaultFleetFile('.fleet'); // 'fleet.yaml' when it exists, else '.fleet/fleet.yaml'
 */
export async function defaultFleetFile(dir: string = DEFAULT_FLEET_DIR): Promise<string> {
  return (await exists('fleet.yaml')) ? 'fleet.yaml' : join(dir, 'fleet.yaml');
}

/**
 * Loads the fleet file at `path`, first writing the demo fleet (`demoFleetYaml`, its services on
 * `address`) when there is none. Throws a {@link FleetFileError} carrying every problem when the
 * file has errors.
 */
export async function prepareFleetFile(path: string, address: string): Promise<PreparedFleetFile> {
  const wrote = !(await exists(path));
  if (wrote) {
    await mkdir(dirname(path), { recursive: true });
    // `wx`: never overwrite a file that appeared meanwhile.
    await writeFile(path, demoFleetYaml({ address }), { flag: 'wx' });
  }
  const { value, errors, warnings } = await loadFleetFile(path);
  if (!value) throw new FleetFileError(path, [...errors, ...warnings]);
  return { fleet: value, warnings, wrote };
}
