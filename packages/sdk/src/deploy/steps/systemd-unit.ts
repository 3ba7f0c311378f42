import { DeployError } from '../errors.ts';
import { runChecked } from '../internal/run-checked.ts';
import type { Step, StepOptions } from '../step.ts';
import { stepBase } from '../step.ts';
import { renderUnit, type SystemdUnit } from '../systemd-unit.ts';
import { fileStep } from './file.ts';

/** Options of {@link systemdUnitStep}. */
export interface SystemdUnitStepOptions extends StepOptions {
  /** The unit's file name under /etc/systemd/system, e.g. `fleet-bus.service`. */
  unit: string;
  /** The unit file's text, or a service to render with {@link renderUnit} (hardened by default). */
  content: string | SystemdUnit;
}

const UNIT_NAME = /^[A-Za-z0-9:_.@\\-]+\.(service|socket|timer|target|path|mount)$/;

/** Where {@link systemdUnitStep} writes unit files. */
export const SYSTEMD_UNIT_DIR = '/etc/systemd/system';

/**
 * Whether `name` is a unit file name {@link systemdUnitStep} accepts: letters, digits and `:_.@-`,
 * then `.service`, `.socket`, `.timer`, `.target`, `.path` or `.mount`.
 *
 * @example isSystemdUnitName('fleet-bus.service'); //=> true
 */
export function isSystemdUnitName(name: string): boolean {
  return UNIT_NAME.test(name);
}

/** The path of a unit file: `/etc/systemd/system/<unit>`. */
export function systemdUnitPath(unit: string): string {
  return `${SYSTEMD_UNIT_DIR}/${unit}`;
}

/**
 * A unit file in /etc/systemd/system, written atomically (as {@link fileStep} writes, mode 0644)
 * and followed by one `systemctl daemon-reload` when it changed. Its check diffs the file; notify
 * a restart handler to have the running service pick the change up.
 *
 * @example systemdUnitStep({ unit: 'fleet-bus.service', content: { description: 'Fleet bus', execStart: ['/usr/bin/node', 'server.js'], user: 'fleet' }, notify: 'restart bus' })
 */
export function systemdUnitStep(options: SystemdUnitStepOptions): Step {
  if (!isSystemdUnitName(options.unit)) {
    throw new DeployError('invalid_plan', `Invalid unit name "${options.unit}": e.g. fleet-bus.service`);
  }
  const content = typeof options.content === 'string' ? options.content : renderUnit(options.content);
  const file = fileStep({ path: systemdUnitPath(options.unit), content, mode: 0o644 });
  return {
    ...stepBase('systemd_unit', `unit ${options.unit}`, options),
    probes: () => file.probes?.() ?? [],
    check: (context) => file.check(context),
    async apply(context, planned) {
      await file.apply(context, planned);
      const result = await runChecked(context, ['systemctl', 'daemon-reload']);
      return { output: result.output };
    },
  };
}
