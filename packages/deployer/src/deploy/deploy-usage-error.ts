/**
 * A deploy that cannot start as asked: an unknown host or group, an invalid fleet file, a phase
 * that does not exist. The CLI prints its message (and `problems`) and exits 2.
 */
export class DeployUsageError extends Error {
  override name = 'DeployUsageError' as const;
  readonly code = 'deploy_usage' as const;
  /** Fleet file problems, already formatted as `file:line:column severity: message`. */
  readonly problems: readonly string[];
  /** The fleet file, when what is wrong is that it does not exist (a command line then names its flag). */
  readonly missingFile: string | undefined;

  constructor(message: string, problems: readonly string[] = [], options: { missingFile?: string } = {}) {
    super(message);
    this.problems = problems;
    this.missingFile = options.missingFile;
  }
}

/** True for a {@link DeployUsageError}, across realms. */
export function isDeployUsageError(error: unknown): error is DeployUsageError {
  return (error as { code?: unknown } | null)?.code === 'deploy_usage' && error instanceof Error;
}
