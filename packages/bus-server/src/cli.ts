import { createRequire } from 'node:module';
import { runCliProcess } from '@fleet/sdk/cli';
import type { CommandDef } from 'citty';
import { ackCommand } from './commands/ack.ts';
import { dlqCommand } from './commands/dlq.ts';
import { extendCommand } from './commands/extend.ts';
import { nackCommand } from './commands/nack.ts';
import { receiveCommand } from './commands/receive.ts';
import { sendCommand } from './commands/send.ts';
import { serverCommand } from './commands/server.ts';
import { statsCommand } from './commands/stats.ts';
import { subscribeCommand } from './commands/subscribe.ts';
import { subscriptionsCommand } from './commands/subscriptions.ts';
import { tailCommand } from './commands/tail.ts';
import { unsubscribeCommand } from './commands/unsubscribe.ts';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

const main: CommandDef = {
  meta: { name: 'fleet-bus', version, description: 'The Fleet message bus: server and client' },
  subCommands: {
    server: serverCommand,
    send: sendCommand,
    receive: receiveCommand,
    ack: ackCommand,
    nack: nackCommand,
    extend: extendCommand,
    subscribe: subscribeCommand,
    unsubscribe: unsubscribeCommand,
    subscriptions: subscriptionsCommand,
    tail: tailCommand,
    stats: statsCommand,
    dlq: dlqCommand,
  },
};

await runCliProcess(main, { name: 'fleet-bus', version });
