import {
  commandStep,
  fileStep,
  type Step,
  type StepChange,
  serviceStep,
  stepBase,
  systemdUnitPath,
} from '@fleet/sdk/deploy';
import { retireUnitSteps } from '../../site/internal/retire-unit.ts';

/** What {@link restoreUnitsSteps} puts back on a host. */
export interface UnitsRestore {
  /** The unit files of the release rolled back to, by unit name. */
  units: Record<string, string>;
  /** Units the host runs that that release does not have. */
  retired: readonly string[];
  /** The order to restart `units` in (every one of them). */
  order: readonly string[];
}

/**
 * The steps that make a host's units what they were with the release rolled back to: each unit
 * of `retired` stopped, disabled and its file removed (only a file Fleet wrote, see
 * `retireUnitSteps`); each unit file of `units` written as that release keeps it;
 * one `systemctl daemon-reload`; then each unit enabled and restarted. A restored unit shows no
 * diff: its text comes from another release, whose secrets this run may not know.
 */
export function restoreUnitsSteps(restore: UnitsRestore): Step[] {
  const steps: Step[] = [];
  for (const unit of restore.retired) steps.push(...retireUnitSteps(unit));
  for (const unit of restore.order) {
    const content = restore.units[unit] ?? '';
    steps.push(fileStep({ name: `unit ${unit}`, path: systemdUnitPath(unit), content, mode: 0o644, diff: false }));
  }
  steps.push(commandStep({ name: 'systemctl daemon-reload', command: ['systemctl', 'daemon-reload'] }));
  for (const unit of restore.order) steps.push(serviceStep({ unit, enabled: true }));
  for (const unit of restore.order) steps.push(serviceStep({ unit, action: 'restart' }));
  return steps;
}

/**
 * Marks each unit's header after a rollback to a release that kept no unit files (made before
 * releases kept them): the units stay as they are, but their header no longer names the inputs
 * of the release rolled back from, so the next deploy sees every unit changed and restarts it on
 * the release it activates. Its name says that the unit files were kept.
 */
export function keptUnitsStep(units: readonly string[], from: string, to: string): Step {
  const marked = (text: string) => text.replace(/\(inputs [^)]*\)/, `(inputs of the release before ${from})`);
  return {
    ...stepBase(
      'systemd_unit',
      `units kept: release ${to} has no saved unit files (made before releases kept them)`,
      {},
    ),
    probes: () => units.map((unit) => ({ path: systemdUnitPath(unit), content: true })),
    async check(context) {
      const changes: StepChange[] = [];
      for (const unit of units) {
        const found = await context.fact({ path: systemdUnitPath(unit), content: true });
        if (!found.exists || found.content === undefined || marked(found.content) === found.content) continue;
        changes.push({
          action: 'update',
          target: systemdUnitPath(unit),
          attribute: 'content',
          summary: `header: inputs of the release before ${from}`,
        });
      }
      return changes;
    },
    async apply(context) {
      for (const unit of units) {
        const text = await context.executor.readFile(systemdUnitPath(unit));
        if (text === undefined || marked(text) === text) continue;
        await context.executor.writeFile(systemdUnitPath(unit), marked(text), { mode: 0o644 });
      }
      return undefined;
    },
  };
}
