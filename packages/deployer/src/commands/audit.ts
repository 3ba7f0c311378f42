import { output, printJson, strictArgs } from '@fleet/sdk/cli';
import { formatProblem } from '@fleet/sdk/fleet';
import { defineCommand } from 'citty';
import { commonArgs, selection, sshArgs } from '../cli/deploy-args.ts';
import { reportingUsage } from '../cli/deploy-usage.ts';
import { auditFleet } from '../deploy/audit.ts';

/** `fleet deploy audit`: do the hosts run what the fleet file says? Problems in `fleet doctor`'s format; exit 1 on drift. */
export const auditCommand = defineCommand({
  meta: { name: 'audit', description: 'Check every host runs what the fleet file says (units, ports, health, drift)' },
  plugins: [strictArgs],
  args: { ...commonArgs },
  async run({ args, rawArgs }) {
    const result = await reportingUsage(() =>
      auditFleet({ config: args.config, ...selection(rawArgs), ssh: sshArgs(args) }),
    );
    if (args.json) printJson(result);
    else {
      output.log(
        `${result.file}: audited ${result.hosts.join(', ') || 'no hosts'}: ${result.problems.length} problem(s)`,
      );
      for (const problem of result.problems) output.log(formatProblem(problem));
    }
    if (result.problems.length > 0)
      throw new Error(`drift on ${new Set(result.problems.map((p) => p.path)).size} entr(ies) of ${result.file}`);
  },
});
