import { readFile } from 'node:fs/promises';
import { type Fleet, formatProblem, parseFleet } from '@fleet/sdk/fleet';
import { DeployUsageError } from './deploy-usage-error.ts';

/** A fleet file loaded for a deploy: the fleet, its text as written (for the hosts), and warnings. */
export interface DeployFleet {
  fleet: Fleet;
  text: string;
  file: string;
  warnings: string[];
}

/**
 * Reads and validates the fleet file. Every problem is reported at once, as `fleet doctor` prints
 * them (`file:line:column`), in a {@link DeployUsageError}.
 */
export async function loadDeployFleet(
  file: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<DeployFleet> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new DeployUsageError(`no fleet file at ${file}`, [], { missingFile: file });
    throw new DeployUsageError(`cannot read ${file}: ${code ?? error}`);
  }
  return parseDeployFleet(text, file, env);
}

/** {@link loadDeployFleet} for a fleet file's text. */
export function parseDeployFleet(
  text: string,
  file = 'fleet.yaml',
  env: Readonly<Record<string, string | undefined>> = process.env,
): DeployFleet {
  const { value, errors, warnings } = parseFleet(text, { file, env });
  if (!value || errors.length > 0) {
    throw new DeployUsageError(`${file} has ${errors.length} error(s)`, errors.map(formatProblem));
  }
  return { fleet: value, text, file, warnings: warnings.map(formatProblem) };
}
