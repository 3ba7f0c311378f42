import { isAbsolute, normalize } from 'node:path';
import { DeployError } from '../errors.ts';
import type { Executor, RunResult } from '../executor.ts';

/**
 * The absolute host path `path` relative to `/`, for a command run with `cwd: '/'`. A
 * LocalExecutor maps `cwd` under its root (a temp dir in tests) but not the words of a command, so
 * commands that name host paths name them relative to `/` and run there: both executors then
 * find the same files.
 */
export function fromRoot(path: string): string {
  if (!isAbsolute(path)) throw new DeployError('invalid_path', `Expected an absolute host path, got "${path}"`);
  const relative = normalize(path).replace(/^\/+/, '').replace(/\/+$/, '');
  return relative === '' ? '.' : relative;
}

/**
 * Runs a fixed `sh` script on the host from `/`, with `args` as `$1`, `$2`, ...: no value is ever
 * spliced into the script's text. A script that could not run at all (killed, timed out) throws.
 */
export async function runScript(
  executor: Executor,
  what: string,
  script: string,
  args: readonly string[],
  options: { input?: string; timeoutMs?: number } = {},
): Promise<RunResult> {
  const result = await executor.run(['sh', '-c', script, 'sh', ...args], {
    cwd: '/',
    timeoutMs: options.timeoutMs ?? 60_000,
    ...(options.input === undefined ? {} : { input: options.input }),
  });
  if (result.exitCode === null) {
    const why = result.timedOut ? 'timed out' : `was killed (${result.signal ?? 'signal'})`;
    throw new DeployError('executor_failed', `Could not ${what} on ${executor.host}: the command ${why}`, {
      output: result.output,
    });
  }
  return result;
}

/** A DeployError for a script's unexpected exit, with its output. */
export function scriptFailed(executor: Executor, what: string, result: RunResult): DeployError {
  const output = result.output.trim();
  return new DeployError(
    'executor_failed',
    `Could not ${what} on ${executor.host} (exit ${result.exitCode})${output === '' ? '' : `: ${output}`}`,
    { output: result.output },
  );
}

// Creates the directory to lock if asked to ($1 = 1), else gives up with 3 when it is missing;
// then runs the script under an exclusive flock(1) of that directory, 30 s at most waiting for it.
// The directory goes to flock as `./<path>`: a path relative to `/` that starts with `-` would be
// taken for an option.
const UNDER_FLOCK = `c=$1; p=$2; s=$3; shift 3
if [ ! -d "$p" ]; then
  [ "$c" = 1 ] || exit 3
  mkdir -p -- "$p" || exit 2
fi
exec flock -w 30 -E 75 "./$p" sh -c "$s" sh "$@"`;

/** The exit code of {@link runScriptUnderFlock} when another holder kept the directory's flock for 30 s. */
export const FLOCK_BUSY_EXIT = 75;

/**
 * {@link runScript} under an exclusive `flock` of the host directory `directory` (util-linux,
 * released by the kernel when the script ends, however it ends), so that scripts that read,
 * decide and then change the files in it never interleave. A missing directory is created when
 * `create` is set, else the script is not run and the result's exit code is 3.
 */
export function runScriptUnderFlock(
  executor: Executor,
  what: string,
  directory: string,
  script: string,
  args: readonly string[],
  options: { create: boolean; input?: string; timeoutMs?: number },
): Promise<RunResult> {
  const { create, ...rest } = options;
  return runScript(executor, what, UNDER_FLOCK, [create ? '1' : '0', fromRoot(directory), script, ...args], rest);
}
