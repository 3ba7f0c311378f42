/**
 * A deploy that cannot start as asked: an unknown host or group, an invalid fleet file, a phase
 * that does not exist. The CLI prints its message (and `problems`) and exits 2.
 */
export class DeployUsageError extends Error {
  override name = 'DeployUsageError' as const;
  readonly code = 'deploy_usage' as const;
  /** Fleet file problems, already formatted as `file:line:column severity: message`. */
  readonly problems: readonly string[];

  constructor(message: string, problems: readonly string[] = []) {
    super(message);
    this.problems = problems;
  }
}

/** True for a {@link DeployUsageError}, across realms. */
export function isDeployUsageError(error: unknown): error is DeployUsageError {
  return (error as { code?: unknown } | null)?.code === 'deploy_usage' && error instanceof Error;
}
