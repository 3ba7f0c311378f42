import type { CommandDef } from 'citty';
import { auditCommand } from './commands/audit.ts';
import { historyCommand } from './commands/history.ts';
import { hookCommand } from './commands/hook.ts';
import { planCommand } from './commands/plan.ts';
import { rollbackCommand } from './commands/rollback.ts';
import { runCommand } from './commands/run.ts';
import { unlockCommand } from './commands/unlock.ts';
import { version } from './version.ts';

const description = 'Deploy the fleet file onto its hosts over SSH';

/** The deploy commands, named as the subcommand `fleet deploy <command>` (what `@fleet/cli` runs). */
export const deployCommand: CommandDef = {
  meta: { name: 'deploy', version, description },
  subCommands: {
    plan: planCommand,
    run: runCommand,
    rollback: rollbackCommand,
    audit: auditCommand,
    history: historyCommand,
    unlock: unlockCommand,
    hook: hookCommand,
  },
};

/** The same commands as a program of their own, `fleet-deploy <command>` (what the bin runs). */
export const fleetDeployCommand: CommandDef = {
  ...deployCommand,
  meta: { name: 'fleet-deploy', version, description },
};
