import type { FleetProblem } from '../schemas/fleet-status.ts';

/**
 * One line for a terminal or a log, like a compiler's:
 * `fleet.yaml:12:5 error: services.bus.host: unknown host "ezr" (hosts: ezra, local)`.
 */
export function formatProblem(problem: FleetProblem): string {
  const where = problem.path === '' ? '' : `${problem.path}: `;
  return `${problem.file}:${problem.line}:${problem.column} ${problem.severity}: ${where}${problem.message}`;
}
