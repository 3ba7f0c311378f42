import { isFleetError } from '@fleet/sdk';
import { output, UsageError } from '@fleet/sdk/cli';
import { type FleetKnowledgeNode, fleetKnowledgeNode, formatProblem, loadFleetFile } from '@fleet/sdk/fleet';

/**
 * The settings of this node from the fleet file (`--config`, `--service`). Prints every problem of
 * an invalid file, one per line, and throws; a service that is not in the file is a usage error.
 */
export async function fleetSettings(config: string, service: string | undefined): Promise<FleetKnowledgeNode> {
  const { value, errors, warnings } = await loadFleetFile(config);
  for (const problem of warnings) output.warn(formatProblem(problem));
  if (!value || errors.length > 0) {
    for (const problem of errors) output.error(formatProblem(problem));
    throw new Error(`${config} has ${errors.length} error(s); fix them or leave out --config`);
  }
  try {
    return fleetKnowledgeNode(value, service);
  } catch (error) {
    throw new UsageError(`--service: ${isFleetError(error) ? error.message : String(error)}`);
  }
}

/** True when the command line gave `--<name>` itself (citty fills in defaults). */
export function given(rawArgs: readonly string[], name: string): boolean {
  return rawArgs.some((arg) => arg === `--${name}` || arg.startsWith(`--${name}=`));
}
