import { DeployError, type Step, type StepContext, stepBase, systemdUnitPath } from '@fleet/sdk/deploy';
import { listManagedUnits, retireUnitSteps } from './internal/retire-unit.ts';

/** Options of {@link retiredUnitsStep}. */
export interface RetiredUnitsStepOptions {
  /** The units the host keeps: those of the services the fleet file puts on it. */
  keep: readonly string[];
}

async function retired(context: StepContext, keep: ReadonlySet<string>): Promise<string[]> {
  return (await listManagedUnits(context.executor)).filter((unit) => !keep.has(unit));
}

/**
 * The units of services the fleet file no longer puts on the host retired: each unit Fleet wrote
 * (see `listManagedUnits`) that is not in `keep` stopped, disabled and its file removed, then one
 * `systemctl daemon-reload`. Its check lists them (one read-only command), so plan mode shows
 * each as a change and a host without any shows none. A unit someone else wrote is never touched.
 *
 * @example retiredUnitsStep({ keep: ['fleet-bus.service', 'fleet-wizard-scout.service'] })
 */
export function retiredUnitsStep(options: RetiredUnitsStepOptions): Step {
  const keep = new Set(options.keep);
  return {
    ...stepBase('systemd_unit', 'retire units the fleet file no longer has', {}),
    async check(context) {
      return (await retired(context, keep)).map((unit) => ({
        action: 'update' as const,
        target: systemdUnitPath(unit),
        summary: `stop, disable and remove ${unit} (not in the fleet file)`,
      }));
    },
    async apply(context) {
      let output = '';
      for (const unit of await retired(context, keep)) {
        for (const step of retireUnitSteps(unit)) {
          const planned = await step.check(context);
          if (planned !== 'may change' && planned.length === 0) continue;
          output += (await step.apply(context, planned))?.output ?? '';
        }
      }
      const reload = await context.executor.run(['systemctl', 'daemon-reload']);
      if (reload.exitCode !== 0) {
        throw new DeployError('command_failed', 'systemctl daemon-reload failed', { output: reload.output });
      }
      return { output: output + reload.output };
    },
  };
}
