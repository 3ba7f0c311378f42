import type { CommandDef } from 'citty';
import { agentCommand } from './commands/agent.ts';
import { alertsCommand } from './commands/alerts.ts';
import { deployCommand } from './commands/deploy.ts';
import { doctorCommand } from './commands/doctor.ts';
import { reportCommand } from './commands/report.ts';
import { silenceCommand } from './commands/silence.ts';
import { statusCommand } from './commands/status.ts';
import { upCommand } from './commands/up.ts';
import { version } from './version.ts';

/** The `fleet` command tree (run it with `runCli` from `@fleet/sdk/cli`). */
export const fleetCommand: CommandDef = {
  meta: { name: 'fleet', version, description: 'Run the whole fleet locally, check it, read its state' },
  subCommands: {
    up: upCommand,
    doctor: doctorCommand,
    status: statusCommand,
    report: reportCommand,
    agent: agentCommand,
    alerts: alertsCommand,
    silence: silenceCommand,
    deploy: deployCommand,
  },
};
