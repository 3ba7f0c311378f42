import { DeployError } from '../errors.ts';
import type { Command, RunOptions, RunResult } from '../executor.ts';
import { commandText } from '../internal/command-text.ts';
import type { Step, StepContext, StepOptions } from '../step.ts';
import { stepBase } from '../step.ts';

/** Options of {@link commandStep}. */
export interface CommandStepOptions extends StepOptions {
  /** What to run: argv (no shell) or a shell string. */
  command: Command;
  /** Environment added for the command and its guards; put secrets here and in `secrets`. */
  env?: Readonly<Record<string, string>>;
  /** Working directory (absolute host path). */
  cwd?: string;
  /** Run as this user. */
  user?: string;
  /** Kill it after this long, on the host too. @default the executor's (300 s) */
  timeoutMs?: number;
  /** Guard: skip when this host path exists (the command creates it). */
  creates?: string;
  /** Guard: skip when this read-only command exits 0. */
  unless?: Command;
  /** Guard: run only when this read-only command exits 0. */
  onlyIf?: Command;
}

/**
 * Run a command. With a guard (`creates`, `unless`, `onlyIf`) its check tells whether it would
 * run, and a second apply does nothing; without one its check says `'may change'` and it runs on
 * every apply. A non-zero exit or a timeout fails the step with the tail of its output.
 *
 * @example commandStep({ command: ['npm', 'ci'], cwd: '/opt/app', creates: '/opt/app/node_modules' })
 */
export function commandStep(options: CommandStepOptions): Step {
  const run = (context: StepContext, command: Command): Promise<RunResult> => {
    const runOptions: RunOptions = {};
    if (options.env !== undefined) runOptions.env = options.env;
    if (options.cwd !== undefined) runOptions.cwd = options.cwd;
    if (options.user !== undefined) runOptions.user = options.user;
    if (options.timeoutMs !== undefined) runOptions.timeoutMs = options.timeoutMs;
    if (context.signal !== undefined) runOptions.signal = context.signal;
    return context.executor.run(command, runOptions);
  };
  const guarded = options.creates !== undefined || options.unless !== undefined || options.onlyIf !== undefined;
  const guard = async (context: StepContext, command: Command, label: string): Promise<boolean> => {
    const result = await run(context, command);
    if (result.timedOut) {
      throw new DeployError('command_failed', `Guard ${label} timed out: ${commandText(command)}`, {
        output: result.output,
      });
    }
    return result.exitCode === 0;
  };
  return {
    ...stepBase('command', commandText(options.command), options),
    probes: () => (options.creates === undefined ? [] : [{ path: options.creates }]),
    async check(context) {
      if (options.creates !== undefined && (await context.fact({ path: options.creates })).exists) return [];
      if (options.unless !== undefined && (await guard(context, options.unless, 'unless'))) return [];
      if (options.onlyIf !== undefined && !(await guard(context, options.onlyIf, 'onlyIf'))) return [];
      if (!guarded) return 'may change';
      return [{ action: 'run', target: commandText(options.command), summary: `run ${commandText(options.command)}` }];
    },
    async apply(context) {
      const result = await run(context, options.command);
      if (result.exitCode !== 0) {
        const why = result.timedOut
          ? `timed out after ${options.timeoutMs ?? 'the default'} ms`
          : result.exitCode === null
            ? `was killed by ${result.signal}`
            : `exited with ${result.exitCode}`;
        throw new DeployError('command_failed', `Command ${why}: ${commandText(options.command)}`, {
          output: result.output,
        });
      }
      return { output: result.output };
    },
  };
}
