import { formatProblem } from '../../src/fleet/format-problem.ts';
import { type ParseFleetOptions, parseFleet } from '../../src/fleet/parse-fleet.ts';

/** Joins lines into a fleet file, so tests can count lines and columns at a glance. */
export const yaml = (...lines: string[]) => `${lines.join('\n')}\n`;

/** Every problem of a file as `file:line:col severity: path: message` lines, errors first. */
export function problemLines(text: string, options: ParseFleetOptions = {}): string[] {
  const { errors, warnings } = parseFleet(text, { env: {}, ...options });
  return [...errors, ...warnings].map(formatProblem);
}
