import { UsageError } from '@fleet/sdk/cli';
import { type CommandDef, defineCommand } from 'citty';
import { version } from './version.ts';

/** A command that is listed but not written yet: it fails with status 2. */
function placeholder(name: string, description: string): CommandDef {
  return defineCommand({
    meta: { name, description },
    run() {
      throw new UsageError(`fleet-deploy ${name} is not implemented yet`);
    },
  });
}

/** The `fleet-deploy` command tree (run it with `runCli` from `@fleet/sdk/cli`). */
export const deployCommand: CommandDef = {
  meta: { name: 'fleet-deploy', version, description: 'Deploy Fleet onto your own hosts over SSH' },
  subCommands: {
    plan: placeholder('plan', 'Show what a deploy would change on each host, changing nothing'),
    run: placeholder('run', 'Deploy: install the local build as a new release and activate it'),
    rollback: placeholder('rollback', 'Activate the previous release again'),
    audit: placeholder('audit', "Show the hosts' audit logs"),
    history: placeholder('history', 'List the releases on each host'),
    unlock: placeholder('unlock', 'Release a deploy lock a dead run left behind'),
  },
};
