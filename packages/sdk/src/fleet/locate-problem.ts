import { LineCounter, parseDocument } from 'yaml';
import type { FleetProblem } from '../schemas/fleet-status.ts';
import { locate, type Path, pathText } from './internal/locate.ts';

/**
 * A problem found outside the loader (a deploy audit, a probe) about the entry at `path` of a fleet
 * file's text, located at that entry's line and column as the loader's own problems are, so that
 * `formatProblem` prints it the same way.
 *
 * @example fleetFileProblem(text, 'fleet.yaml', ['services', 'bus'], 'unit fleet-bus.service is inactive')
 */
export function fleetFileProblem(
  text: string,
  file: string,
  path: readonly (string | number)[],
  message: string,
  severity: FleetProblem['severity'] = 'error',
): FleetProblem {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const { line, col } = lineCounter.linePos(locate(doc.contents, path as Path, 'key'));
  return { file, line, column: col, path: pathText(path as Path), message, severity };
}
