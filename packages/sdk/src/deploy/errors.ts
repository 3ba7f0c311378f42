/**
 * Why a deploy step, a plan or an executor operation failed. One union, so a caller can branch on
 * the code and a new code cannot be half-added.
 */
export type DeployErrorCode =
  /** The plan itself is wrong (unknown handler, duplicate phase, bad step options); nothing ran. */
  | 'invalid_plan'
  /** A template names a variable the step does not define. */
  | 'undefined_variable'
  /** A command exited non-zero, was killed, or ran past its timeout. */
  | 'command_failed'
  /** An `assert` step's probe did not hold. */
  | 'assertion_failed'
  /** The host has something else at a path a step manages (a directory where a file belongs). */
  | 'path_conflict'
  /** A path outside the executor's root, or not absolute. */
  | 'invalid_path'
  /** A user or group name the host does not know. */
  | 'unknown_account'
  /** A health step's probes did not pass within its timeout. */
  | 'unhealthy'
  /** The executor could not do what was asked (I/O error, lost connection). */
  | 'executor_failed'
  /** A release to activate or roll back to is not on the host (see `activateRelease`). */
  | 'release_missing';

/**
 * An error of the deploy runner, its steps or an executor. `output` is the tail of the failing
 * command's output when there was one; the runner puts it (redacted) in the step's result.
 */
export class DeployError extends Error {
  override name = 'DeployError' as const;
  /** Machine-readable reason. */
  readonly code: DeployErrorCode;
  /** Tail of the output of the command that failed, if any. */
  readonly output: string | undefined;

  constructor(code: DeployErrorCode, message: string, options: { output?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    this.output = options.output;
  }
}

/** True for a {@link DeployError}, also one from another copy of the SDK. */
export function isDeployError(error: unknown): error is DeployError {
  return (
    error instanceof DeployError ||
    (typeof error === 'object' &&
      error !== null &&
      (error as { name?: unknown }).name === 'DeployError' &&
      typeof (error as { code?: unknown }).code === 'string')
  );
}
