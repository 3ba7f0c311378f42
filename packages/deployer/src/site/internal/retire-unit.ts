import {
  commandStep,
  DeployError,
  type Executor,
  isSystemdUnitName,
  type Step,
  SYSTEMD_UNIT_DIR,
  serviceStep,
  systemdUnitPath,
} from '@fleet/sdk/deploy';
import { MANAGED_UNIT_MARK } from '../unit-file.ts';

/**
 * A shell test (`sh -c TEST sh PATH MARK`) that is true when the file at PATH is a unit Fleet
 * wrote: its first line carries MARK.
 */
const MANAGED_TEST = 'head -n 1 -- "$1" 2>/dev/null | grep -qF -- "$2"';

/** The argv of a read-only command true when `path` is a unit file Fleet wrote (its first line carries {@link MANAGED_UNIT_MARK}). */
export function managedUnitTest(path: string): string[] {
  return ['sh', '-c', MANAGED_TEST, 'sh', path, MANAGED_UNIT_MARK];
}

/**
 * The steps that retire a unit: stopped and disabled, then its file removed, only when Fleet
 * wrote it (see {@link managedUnitTest}). Systemd still knows it until the next daemon-reload.
 */
export function retireUnitSteps(unit: string): Step[] {
  const path = systemdUnitPath(unit);
  return [
    serviceStep({ unit, enabled: false, state: 'stopped', name: `stop and disable ${unit}` }),
    commandStep({ name: `remove ${unit}`, command: ['rm', '-f', '--', path], onlyIf: managedUnitTest(path) }),
  ];
}

/**
 * The units Fleet wrote in /etc/systemd/system (`fleet-*.service` whose first line carries
 * {@link MANAGED_UNIT_MARK}), sorted. One read-only command.
 *
 * @throws {DeployError} `command_failed` when the directory cannot be listed.
 */
export async function listManagedUnits(executor: Executor): Promise<string[]> {
  const script = `for f in "$1"/fleet-*.service; do [ -f "$f" ] && ${MANAGED_TEST.replace('"$1"', '"$f"')} && printf '%s\\n' "\${f##*/}"; done; exit 0`;
  const listed = await executor.run(['sh', '-c', script, 'sh', SYSTEMD_UNIT_DIR, MANAGED_UNIT_MARK]);
  if (listed.exitCode !== 0) {
    throw new DeployError('command_failed', `Listing Fleet's units in ${SYSTEMD_UNIT_DIR} failed`, {
      output: listed.output,
    });
  }
  return listed.stdout.split('\n').filter(isSystemdUnitName).sort();
}
