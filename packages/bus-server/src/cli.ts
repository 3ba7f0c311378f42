import { createRequire } from 'node:module';
import { runCliProcess } from '@fleet/sdk/cli';
import type { CommandDef } from 'citty';
import { dlqCommand } from './commands/dlq.ts';
import { receiveCommand } from './commands/receive.ts';
import { sendCommand } from './commands/send.ts';
import { serverCommand } from './commands/server.ts';
import { statsCommand } from './commands/stats.ts';
import { tailCommand } from './commands/tail.ts';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

const main: CommandDef = {
  meta: { name: 'fleet-bus', version, description: 'The Fleet message bus: server and client' },
  subCommands: {
    server: serverCommand,
    send: sendCommand,
    receive: receiveCommand,
    tail: tailCommand,
    stats: statsCommand,
    dlq: dlqCommand,
  },
};

await runCliProcess(main, { name: 'fleet-bus', version });
