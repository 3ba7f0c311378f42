import { type CommandDef, runCommand } from 'citty';
import { ignoreLostOutput } from './internal/lost-output.ts';
import { output } from './output.ts';
import { reportFailure } from './report-failure.ts';
import { resolveCommand } from './resolve-command.ts';
import { printUsage } from './usage.ts';

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

/**
 * Runs a citty command tree on `argv` (without `node` and the script) the Fleet way and resolves
 * to the exit status: usage on `--help` (0) or no arguments (2), without colours unless stdout is
 * a terminal; `--version`; and every failure as one line `<name>: <what went wrong>` on stderr
 * with status 2 (bad command line, such as an unknown command, which names the known ones) or 1.
 * Output nobody reads any more (stdout or stderr whose pipe reader is gone, EPIPE, or whose
 * terminal hung up, EIO) is dropped instead of ending the process with a stack trace, from then
 * until it exits: a server keeps serving, its log lines lost; a command that follows a stream
 * stops there when it asked to (`untilSignal({ outputLost: true })`).
 */
export async function runCli(main: CommandDef, argv: readonly string[], options: RunCliOptions): Promise<number> {
  ignoreLostOutput();
  try {
    if (argv.length === 0) {
      await printUsage(main);
      return 2;
    }
    if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v')) {
      output.log(options.version);
      return 0;
    }
    const help = argv.includes('--help') || argv.includes('-h');
    const [command, parent] = await resolveCommand(main, argv, { runnable: !help });
    if (help) {
      await printUsage(command, parent);
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
