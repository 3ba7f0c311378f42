import { strictArgs } from '@fleet/sdk/cli';
import { defineCommand } from 'citty';
import { commonArgs, phasesArg, selection, sshArgs } from '../cli/deploy-args.ts';
import { runDeployCommand } from '../cli/run-deploy-command.ts';
import { deploy } from '../deploy/deploy.ts';

/** `fleet deploy plan`: what a deploy would change on each host (diffs included), changing nothing anywhere. */
export const planCommand = defineCommand({
  meta: { name: 'plan', description: 'Show what a deploy would change on each host, changing nothing' },
  plugins: [strictArgs],
  args: { ...commonArgs, phase: { type: 'string', description: 'Only this phase; repeatable', valueHint: 'phase' } },
  run({ args, rawArgs }) {
    return runDeployCommand(args.json, (hooks) =>
      deploy({
        config: args.config,
        mode: 'plan',
        ...selection(rawArgs),
        ...withPhases(rawArgs),
        ssh: sshArgs(args),
        ...hooks,
      }),
    );
  },
});

function withPhases(rawArgs: readonly string[]) {
  const phases = phasesArg(rawArgs);
  return phases ? { phases } : {};
}
