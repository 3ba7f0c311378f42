import { formatTable } from '@fleet/sdk/cli';
import { formatProblem } from '@fleet/sdk/fleet';
import type { DoctorReport } from './diagnose.ts';

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

/**
 * The lines `fleet doctor` prints: the file's problems (one `file:line:column severity: ...` line
 * each), then a table of targets with their state, HTTP status, response time and error.
 */
export function formatDoctorReport(report: DoctorReport): string[] {
  const errors = report.problems.filter((problem) => problem.severity === 'error').length;
  const warnings = report.problems.length - errors;
  const lines = [`${report.file}: ${plural(errors, 'error')}, ${plural(warnings, 'warning')}`];
  lines.push(...report.problems.map(formatProblem));
  if (report.targets.length === 0) {
    lines.push(errors > 0 ? 'targets not probed: the fleet file has errors' : 'no targets in the fleet file');
    return lines;
  }
  const rows = report.targets.map((target) => [
    target.id,
    target.kind,
    target.host,
    target.state,
    target.status === null ? '-' : String(target.status),
    `${Math.round(target.responseTimeMs)} ms`,
    target.url,
    target.error ?? '-',
  ]);
  lines.push('', ...formatTable([['TARGET', 'KIND', 'HOST', 'STATE', 'HTTP', 'TIME', 'URL', 'ERROR'], ...rows]));
  return lines;
}

/** The one-line verdict `fleet doctor` ends a failing run with (on stderr, exit status 1). */
export function doctorVerdict(report: DoctorReport): string {
  const errors = report.problems.filter((problem) => problem.severity === 'error').length;
  const notUp = report.targets.filter((target) => target.state !== 'up').map((target) => target.id);
  const parts = [
    ...(errors > 0 ? [`${plural(errors, 'error')} in ${report.file}`] : []),
    ...(notUp.length > 0 ? [`not up: ${notUp.join(', ')}`] : []),
  ];
  return parts.length > 0 ? parts.join('; ') : 'all good';
}
