import { output, UsageError } from '@fleet/sdk/cli';
import { type DeployUsageError, isDeployUsageError } from '../deploy/deploy-usage-error.ts';

/**
 * A {@link DeployUsageError} as the `fleet deploy` commands report it: each fleet file problem on
 * stderr, then a `UsageError` (exit 2) whose message names the flag that fixes a missing fleet file.
 */
export function deployUsageError(error: DeployUsageError): UsageError {
  for (const problem of error.problems) output.error(problem);
  return new UsageError(error.missingFile === undefined ? error.message : `${error.message} (give one with --config)`);
}

/** Awaits `call`, a `DeployUsageError` it throws reported as {@link deployUsageError} does. */
export async function reportingUsage<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw isDeployUsageError(error) ? deployUsageError(error) : error;
  }
}
