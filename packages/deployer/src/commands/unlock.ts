import { output, printJson, strictArgs } from '@fleet/sdk/cli';
import { defineCommand } from 'citty';
import { lockHostArgs, sshArgs } from '../cli/deploy-args.ts';
import { reportingUsage } from '../cli/deploy-usage.ts';
import { unlockDeploy } from '../deploy/lock-host.ts';

/** `fleet deploy unlock`: clears a deploy lock a dead run left behind. */
export const unlockCommand = defineCommand({
  meta: { name: 'unlock', description: 'Clear the deploy lock (one a dead run left behind)' },
  plugins: [strictArgs],
  args: {
    ...lockHostArgs,
    'run-id': { type: 'string', description: 'Only if this run holds it', valueHint: 'id' },
  },
  async run({ args }) {
    const { removed, holder } = await reportingUsage(() =>
      unlockDeploy({
        config: args.config,
        ssh: sshArgs(args),
        ...(args['run-id'] ? { runId: args['run-id'] } : {}),
      }),
    );
    const owner = holder?.owner;
    const who = owner
      ? `run ${owner.runId} of ${owner.user}@${owner.host} (pid ${owner.pid})`
      : 'a holder that wrote no owner file';
    if (args.json)
      return printJson({
        removed,
        holder: holder ? { ...holder, owner: owner ? { ...owner, token: undefined } : undefined } : null,
      });
    if (!holder) return output.log('no deploy lock is held');
    if (!removed) throw new Error(`the lock is held by ${who}, not run ${args['run-id']}: left alone`);
    output.log(`removed the deploy lock of ${who}`);
  },
});
