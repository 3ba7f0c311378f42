import { DeployError } from '../errors.ts';
import type { Command, RunOptions, RunResult } from '../executor.ts';
import type { StepContext } from '../step.ts';
import { commandText } from './command-text.ts';

/** Why a command did not succeed, in a few words: `exited with 1`, `timed out`, `was killed by SIGKILL`. */
export function failureReason(result: RunResult): string {
  if (result.timedOut) return 'timed out';
  if (result.exitCode === null) return `was killed by ${result.signal}`;
  return `exited with ${result.exitCode}`;
}

/** The `command_failed` DeployError for a command that did not succeed, with the tail of its output. */
export function commandFailure(command: Command, result: RunResult): DeployError {
  return new DeployError('command_failed', `${commandText(command)} ${failureReason(result)}`, {
    output: result.output,
  });
}

/**
 * Run a command a step needs to succeed (passing the run's abort signal): a non-zero exit or a
 * timeout throws a `command_failed` DeployError with the tail of its output.
 */
export async function runChecked(context: StepContext, command: Command, options: RunOptions = {}): Promise<RunResult> {
  const result = await context.executor.run(command, {
    ...options,
    ...(context.signal === undefined ? {} : { signal: context.signal }),
  });
  if (result.exitCode !== 0) throw commandFailure(command, result);
  return result;
}
