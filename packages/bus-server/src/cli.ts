import { createRequire } from 'node:module';
import { type CommandDef, runCommand, showUsage } from 'citty';
import { dlqCommand } from './commands/dlq.ts';
import { output } from './commands/internal/output.ts';
import { reportFailure } from './commands/internal/report-error.ts';
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

/** The command `argv` names (following subcommand names), and its parent, for `--help`. */
async function commandFor(argv: readonly string[]): Promise<[CommandDef, CommandDef | undefined]> {
  let command = main;
  let parent: CommandDef | undefined;
  for (const arg of argv) {
    if (arg.startsWith('-')) break;
    const subCommands = (await command.subCommands) as Record<string, CommandDef> | undefined;
    const next = subCommands?.[arg];
    if (!next) break;
    parent = command;
    command = next;
  }
  return [command, parent];
}

/** Runs the CLI on `argv` (without `node` and the script); resolves to the exit status. */
async function runCli(argv: readonly string[]): Promise<number> {
  try {
    if (argv.length === 0 || argv.includes('--help') || argv.includes('-h')) {
      await showUsage(...(await commandFor(argv)));
      return argv.length === 0 ? 2 : 0;
    }
    if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v')) {
      output.log(version);
      return 0;
    }
    await runCommand(main, { rawArgs: [...argv] });
    return 0;
  } catch (error) {
    const { line, exitCode } = reportFailure(error);
    output.error(`fleet-bus: ${line}`);
    return exitCode;
  }
}

const exitCode = await runCli(process.argv.slice(2));
// Pending keep-alive sockets must not hold the process open; flush stdout first.
process.stdout.write('', () => process.exit(exitCode));
