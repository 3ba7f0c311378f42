import { formatTable, numberArg, output, printJson, strictArgs } from '@fleet/sdk/cli';
import { defineCommand } from 'citty';
import { lockHostArgs, sshArgs } from '../cli/deploy-args.ts';
import { reportingUsage } from '../cli/deploy-usage.ts';
import { deployHistory } from '../deploy/lock-host.ts';

/** `fleet deploy history`: the recorded runs, newest first, from the fleet's lock host. */
export const historyCommand = defineCommand({
  meta: { name: 'history', description: 'The recorded deploy runs, newest first' },
  plugins: [strictArgs],
  args: {
    ...lockHostArgs,
    limit: { type: 'string', description: 'At most this many runs (default: 20)', valueHint: 'n' },
  },
  async run({ args }) {
    const limit = numberArg(args.limit, 'limit', { integer: true, min: 1, max: 1000 }) ?? 20;
    const { runs, problems } = await reportingUsage(() =>
      deployHistory({ config: args.config, ssh: sshArgs(args), limit }),
    );
    for (const problem of problems) output.warn(`history line ${problem.line}: ${problem.reason}`);
    if (args.json) {
      for (const run of runs) printJson(run);
      return;
    }
    if (runs.length === 0) return output.log('no deploy runs recorded yet');
    const rows = runs.map((run) => [
      run.startedAt,
      run.id,
      run.trigger,
      `${run.user}@${run.from}`,
      run.mode,
      run.status,
      `${(run.durationMs / 1000).toFixed(1)}s`,
      run.hosts.map((host) => `${host.host}:${host.status}`).join(' '),
      run.commit ?? '-',
    ]);
    for (const line of formatTable([
      ['STARTED', 'RUN', 'TRIGGER', 'BY', 'MODE', 'STATUS', 'TIME', 'HOSTS', 'COMMIT'],
      ...rows,
    ])) {
      output.log(line);
    }
  },
});
