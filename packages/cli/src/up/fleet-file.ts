import { access, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { FleetProblem } from '@fleet/sdk';
import { demoFleetYaml, type Fleet, loadFleetFile, parseFleet } from '@fleet/sdk/fleet';

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
 * Where a file `fleet up` keeps in its state directory is looked for when none is named, in order:
 * `./<name>` (one of your own, in the directory you work in), then `<dir>/<name>` (`fleet up`'s).
 *
 * @example
 * fleetDirCandidates('fleet-alerts.db'); // ['fleet-alerts.db', '.fleet/fleet-alerts.db']
 */
export function fleetDirCandidates(name: string, dir: string = DEFAULT_FLEET_DIR): [own: string, fleetUps: string] {
  return [name, join(dir, name)];
}

/** The first of `paths` that exists, else `undefined`. */
export async function firstExisting(paths: readonly string[]): Promise<string | undefined> {
  for (const path of paths) if (await exists(path)) return path;
  return undefined;
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
  const [own, fleetUps] = fleetDirCandidates('fleet.yaml', dir);
  return (await exists(own)) ? own : fleetUps;
}

/**
 * Checks a fleet before it is used; throws to refuse it. `demo` is true for the demo fleet, which
 * is written only once the check passed.
 */
export type FleetCheck = (fleet: Fleet, demo: boolean) => void;

/**
 * Loads the fleet file at `path`, or, when there is none, the demo fleet (`demoFleetYaml`, its
 * services on `address`), which is written to `path` once it loaded and passed `check`: a fleet
 * that is refused leaves no file behind. Throws a {@link FleetFileError} carrying every problem
 * when the file has errors, and whatever `check` throws.
 */
export async function prepareFleetFile(
  path: string,
  address: string,
  check: FleetCheck = () => {},
): Promise<PreparedFleetFile> {
  const wrote = !(await exists(path));
  const demoText = wrote ? demoFleetYaml({ address }) : undefined;
  const { value, errors, warnings } =
    demoText === undefined ? await loadFleetFile(path) : parseFleet(demoText, { file: path });
  if (!value) throw new FleetFileError(path, [...errors, ...warnings]);
  check(value, wrote);
  if (demoText !== undefined) {
    await mkdir(dirname(path), { recursive: true });
    // `wx`: never overwrite a file that appeared meanwhile.
    await writeFile(path, demoText, { flag: 'wx' });
  }
  return { fleet: value, warnings, wrote };
}
