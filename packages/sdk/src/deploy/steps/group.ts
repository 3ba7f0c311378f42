import { assertAccountName } from '../internal/account-name.ts';
import { commandFailure, runChecked } from '../internal/run-checked.ts';
import type { Step, StepOptions } from '../step.ts';
import { stepBase } from '../step.ts';

/** Options of {@link groupStep}. */
export interface GroupStepOptions extends StepOptions {
  /** The group's name, e.g. `fleet`. */
  group: string;
  /** A system group (a gid from the system range), as services use. @default false */
  system?: boolean;
}

/**
 * A group that exists. Its check is one `getent group`; its apply is `groupadd` (`--system` when
 * asked). An existing group is left as it is, whatever its gid.
 *
 * @example groupStep({ group: 'fleet', system: true })
 */
export function groupStep(options: GroupStepOptions): Step {
  assertAccountName('group', options.group);
  return {
    ...stepBase('group', `group ${options.group}`, options),
    async check(context) {
      // getent exits 2 for a name it does not know; anything else but 0 is a real failure.
      const command = ['getent', 'group', options.group];
      const found = await context.executor.run(command);
      if (found.exitCode === 0) return [];
      if (found.exitCode !== 2) throw commandFailure(command, found);
      const what = options.system === true ? 'system group' : 'group';
      return [{ action: 'create', target: `group ${options.group}`, summary: `create ${what}` }];
    },
    async apply(context) {
      const result = await runChecked(context, [
        'groupadd',
        ...(options.system === true ? ['--system'] : []),
        options.group,
      ]);
      return { output: result.output };
    },
  };
}
