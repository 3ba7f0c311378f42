import { createRequire } from 'node:module';
import { runCli } from '@fleet/sdk/cli';
import type { CommandDef } from 'citty';
import { serverCommand } from './commands/server.ts';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

const main: CommandDef = {
  meta: {
    name: 'fleet-dashboard',
    version,
    description: 'The Fleet dashboard: fleet health, history and live updates',
  },
  subCommands: { server: serverCommand },
};

const META = new Set(['--help', '-h', '--version', '-v']);
const argv = process.argv.slice(2);
// Serving is the only thing it does: `fleet-dashboard --port 8652` means `fleet-dashboard server --port 8652`.
const serving = argv.length === 0 || (argv[0]!.startsWith('-') && !META.has(argv[0]!));
const exitCode = await runCli(main, serving ? ['server', ...argv] : argv, { name: 'fleet-dashboard', version });
// Exit once stdout is flushed: pending keep-alive sockets must not hold the process open.
process.stdout.write('', () => process.exit(exitCode));
