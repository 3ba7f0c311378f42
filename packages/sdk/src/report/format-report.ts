import type { FleetReport } from './fleet-report.ts';
import { formatReportMarkdown } from './internal/format-markdown.ts';
import { formatReportText } from './internal/format-text.ts';

/**
 * The fleet report for people: `text` is plain aligned lines for a terminal, a chat channel or an
 * email; `markdown` is GitHub-flavoured markdown (`##` sections, tables with `|` escaped). Both
 * have the same sections in the same order: the title with the period, a one-line summary,
 * Targets (uptime, down time, each incident), Deploys, Bus traffic (per bus and agent), Knowledge
 * sync (per node and peer), Fleet file problems and Gaps (sources not read); an empty section
 * says so in one line. Times are in UTC. No trailing newline.
 *
 * @example
 * const report = await buildFleetReport({ monitor: dashboardReportSource(dashboard) });
 * console.log(formatFleetReport(report, 'text'));
 * // Fleet report: prod, 2026-12-04 17:00 UTC to 2026-12-05 17:00 UTC (24h)
 * // 3/4 targets up now; 1 incident; deploys 1 ok, 0 failed; 0 dead letters
 * //
 * // Targets
 * //   TARGET  HOST   STATE  UPTIME   DOWN    INCIDENTS
 * //   bus     local  up     100.00%  0s      0
 * //   ghost   spare  down   97.31%   38m 4s  1
 * //     down 2026-12-05 16:21:56 UTC still down (38m 4s): connection refused
 * // ...
 */
export function formatFleetReport(report: FleetReport, format: 'text' | 'markdown'): string {
  return format === 'markdown' ? formatReportMarkdown(report) : formatReportText(report);
}
