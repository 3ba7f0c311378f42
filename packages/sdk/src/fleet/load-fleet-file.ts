import { readFile } from 'node:fs/promises';
import { type FleetParseResult, type ParseFleetOptions, parseFleet } from './parse-fleet.ts';

/**
 * Reads and parses a fleet file (see {@link parseFleet}). A file that cannot be read is one error
 * at its first line rather than an exception, so a watcher can show it like any other problem.
 *
 * @example
 * const { value: fleet, errors } = await loadFleetFile('fleet.yaml');
 */
export async function loadFleetFile(
  path: string,
  options: Omit<ParseFleetOptions, 'file'> = {},
): Promise<FleetParseResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const message = `cannot read the fleet file: ${(error as Error).message}`;
    return {
      value: undefined,
      errors: [{ file: path, line: 1, column: 1, path: '', message, severity: 'error' }],
      warnings: [],
    };
  }
  return parseFleet(text, { ...options, file: path });
}
