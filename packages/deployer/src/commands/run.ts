import { strictArgs } from '@fleet/sdk/cli';
import { defineCommand } from 'citty';
import { commonArgs, lockArgs, lockWaitMs, phasesArg, selection, sshArgs } from '../cli/deploy-args.ts';
import { runDeployCommand } from '../cli/run-deploy-command.ts';
import { deploy } from '../deploy/deploy.ts';

/** `fleet deploy run`: deploys the fleet file onto its hosts, batch by batch, health-gated, under the deploy lock. */
export const runCommand = defineCommand({
  meta: {
    name: 'run',
    description: 'Deploy: install the local build and config as a release, health-gated, host batch by batch',
  },
  plugins: [strictArgs],
  args: {
    ...commonArgs,
    ...lockArgs,
    phase: { type: 'string', description: 'Only this phase; repeatable', valueHint: 'phase' },
    rollback: {
      type: 'enum',
      options: ['all', 'host', 'none'],
      description: 'On a failed gate roll back every updated host, that host, or none (default: the fleet file)',
    },
  },
  run({ args, rawArgs }) {
    const phases = phasesArg(rawArgs);
    const wait = lockWaitMs(args['lock-wait']);
    return runDeployCommand(args.json, (hooks) =>
      deploy({
        config: args.config,
        mode: 'apply',
        ...selection(rawArgs),
        ...(phases ? { phases } : {}),
        ssh: sshArgs(args),
        ...(wait !== undefined ? { lockWaitMs: wait } : {}),
        ...(args.message ? { message: args.message } : {}),
        ...(args.commit ? { commit: args.commit } : {}),
        ...(args.rollback ? { rollback: args.rollback as 'all' | 'host' | 'none' } : {}),
        ...hooks,
      }),
    );
  },
});
