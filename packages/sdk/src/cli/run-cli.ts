import { type CommandDef, runCommand, showUsage } from 'citty';
import { output } from './output.ts';
import { reportFailure } from './report-failure.ts';

/** Options of {@link runCli}. */
export interface RunCliOptions {
  /**
   * The program name, prefixed to the failure line.
   * @example 'fleet-bus'
   */
  name: string;
  /** Printed by `--version`. */
  version: string;
}

/** The command `argv` names (following subcommand names), and its parent, for `--help`. */
async function commandFor(main: CommandDef, argv: readonly string[]): Promise<[CommandDef, CommandDef | undefined]> {
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

/**
 * Runs a citty command tree on `argv` (without `node` and the script) the Fleet way and resolves
 * to the exit status: usage on `--help` (0) or no arguments (2), `--version`, and every failure
 * as one line `<name>: <what went wrong>` on stderr with status 2 (bad command line) or 1.
 */
export async function runCli(main: CommandDef, argv: readonly string[], options: RunCliOptions): Promise<number> {
  try {
    if (argv.length === 0 || argv.includes('--help') || argv.includes('-h')) {
      await showUsage(...(await commandFor(main, argv)));
      return argv.length === 0 ? 2 : 0;
    }
    if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v')) {
      output.log(options.version);
      return 0;
    }
    await runCommand(main, { rawArgs: [...argv] });
    return 0;
  } catch (error) {
    const { line, exitCode } = reportFailure(error);
    output.error(`${options.name}: ${line}`);
    return exitCode;
  }
}

/**
 * {@link runCli} on `process.argv`, then exits with its status once stdout is flushed (pending
 * keep-alive sockets must not hold the process open).
 *
 * @example
 * await runCliProcess(main, { name: 'fleet-bus', version });
 */
export async function runCliProcess(main: CommandDef, options: RunCliOptions): Promise<never> {
  const exitCode = await runCli(main, process.argv.slice(2), options);
  return new Promise<never>(() => {
    process.stdout.write('', () => process.exit(exitCode));
  });
}
