import { createRequire } from 'node:module';
import { runCliProcess } from '@fleet/sdk/cli';
import type { CommandDef } from 'citty';
import { deleteCommand } from './commands/delete.ts';
import { getCommand } from './commands/get.ts';
import { peersCommand } from './commands/peers.ts';
import { putCommand } from './commands/put.ts';
import { queryCommand } from './commands/query.ts';
import { serverCommand } from './commands/server.ts';
import { statusCommand } from './commands/status.ts';
import { syncCommand } from './commands/sync.ts';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

const main: CommandDef = {
  meta: { name: 'fleet-knowledge', version, description: 'The Fleet knowledge store: server and client' },
  subCommands: {
    server: serverCommand,
    put: putCommand,
    get: getCommand,
    query: queryCommand,
    delete: deleteCommand,
    peers: peersCommand,
    sync: syncCommand,
    status: statusCommand,
  },
};

await runCliProcess(main, { name: 'fleet-knowledge', version });
