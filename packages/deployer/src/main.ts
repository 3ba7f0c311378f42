import type { CommandDef } from 'citty';
import { auditCommand } from './commands/audit.ts';
import { historyCommand } from './commands/history.ts';
import { hookCommand } from './commands/hook.ts';
import { planCommand } from './commands/plan.ts';
import { rollbackCommand } from './commands/rollback.ts';
import { runCommand } from './commands/run.ts';
import { unlockCommand } from './commands/unlock.ts';
import { version } from './version.ts';

/** The deploy commands: `fleet-deploy <command>`, also `fleet deploy <command>`. */
export const deployCommand: CommandDef = {
  meta: { name: 'deploy', version, description: 'Deploy the fleet file onto its hosts over SSH' },
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
