import { strictArgs } from '@fleet/sdk/cli';
import { defineCommand } from 'citty';
import { commonArgs, lockArgs, lockWaitMs, selection, sshArgs } from '../cli/deploy-args.ts';
import { runDeployCommand } from '../cli/run-deploy-command.ts';
import { rollbackFleet } from '../deploy/rollback.ts';

/** `fleet deploy rollback`: each selected host back on its previous release, restarted and health-gated. */
export const rollbackCommand = defineCommand({
  meta: { name: 'rollback', description: 'Put hosts back on their previous release (restarted, health-gated)' },
  plugins: [strictArgs],
  args: { ...commonArgs, ...lockArgs },
  run({ args, rawArgs }) {
    const wait = lockWaitMs(args['lock-wait']);
    return runDeployCommand(args.json, (hooks) =>
      rollbackFleet({
        config: args.config,
        ...selection(rawArgs),
        ssh: sshArgs(args),
        ...(wait !== undefined ? { lockWaitMs: wait } : {}),
        ...(args.message ? { message: args.message } : {}),
        ...hooks,
      }),
    );
  },
});
