import { toIso } from '../internal/iso-time.ts';
import { describeError } from '../monitor/readers/describe-error.ts';
import type { FleetProblem, FleetStatus } from '../schemas/fleet-status.ts';
import type { FleetReport, ReportDeploy, ReportGap, ReportTarget } from './fleet-report.ts';
import { busReport } from './internal/bus-report.ts';
import { deployReport } from './internal/deploy-report.ts';
import { historyInPeriod, type ReadHistory } from './internal/history-in-period.ts';
import { knowledgeReport } from './internal/knowledge-report.ts';
import { targetReport } from './internal/target-report.ts';
import type { FleetReportSources, ReportMonitorSource } from './report-sources.ts';

/** The period a report covers unless told otherwise: a day. */
export const DEFAULT_REPORT_PERIOD_MS = 24 * 60 * 60 * 1000;

/** Transitions a service detail carries at most (the monitor's cap; beyond it a target is `partial`). */
const MAX_TRANSITIONS = 1000;

/** Targets whose history is read at once. */
const DETAIL_CONCURRENCY = 8;

/** Deploy runs read from the monitor source (its most). */
const DEPLOY_RUNS = 200;

/** Options of {@link buildFleetReport}. */
export interface BuildFleetReportOptions {
  /** How far back the report looks, ms. @default 86400000 (24 h) */
  periodMs?: number;
  /** Clock, epoch ms: the period ends now. @default Date.now */
  now?: () => number;
  /** Stops reading the sources (what was not read becomes a gap). */
  signal?: AbortSignal;
}

/**
 * Builds the fleet report over the last `periodMs`: uptime, down time and incidents per target
 * (the monitor's history and transitions), the deploy runs that started in the period, each
 * agent's bus traffic (the bus audit trail) and backlog (queue stats), each knowledge node's sync
 * lag and lost conflicts, and the fleet file's problems. Sources are read in parallel; one that
 * cannot be read is named in `gaps` (and its section is empty or partial), its error shown through
 * `sources.showError`: it never throws for an unreachable service, so a report is always made.
 *
 * @example
 * ```ts
 * const report = await buildFleetReport(
 *   { monitor: dashboardReportSource(dashboard), ...fleetReportServices(fleet), fleet: fleet.name },
 *   { periodMs: 24 * 3_600_000 },
 * );
 * console.log(formatFleetReport(report, 'text'));
 * ```
 */
export async function buildFleetReport(
  sources: FleetReportSources,
  options: BuildFleetReportOptions = {},
): Promise<FleetReport> {
  const untilMs = (options.now ?? Date.now)();
  const sinceMs = untilMs - (options.periodMs ?? DEFAULT_REPORT_PERIOD_MS);
  const { signal } = options;
  const gaps: ReportGap[] = [];
  const [monitor, busRead, knowledgeRead] = await Promise.all([
    readMonitor(sources.monitor, sinceMs, untilMs, gaps, signal),
    Promise.all((sources.buses ?? []).map((source) => busReport(source, sinceMs, untilMs, signal))),
    Promise.all((sources.knowledge ?? []).map((source) => knowledgeReport(source, signal))),
  ]);
  // Errors name the URLs read; fleetReportServices' showError puts back their ${ENV} references.
  const show = sources.showError ?? ((message: string) => message);
  const shown = <T extends { error: string | null }>(entry: T): T =>
    entry.error === null ? entry : { ...entry, error: show(entry.error) };
  const bus = busRead.map(shown);
  const knowledge = knowledgeRead.map(shown);
  for (const gap of gaps) gap.error = show(gap.error);
  for (const entry of [...bus, ...knowledge]) {
    if (entry.error !== null) gaps.push({ source: entry.target, error: entry.error });
  }
  return {
    fleet: sources.fleet ?? null,
    generatedAt: toIso(untilMs),
    since: toIso(sinceMs),
    until: toIso(untilMs),
    targets: monitor.targets,
    deploys: monitor.deploys,
    bus,
    knowledge,
    problems: [...(sources.problems ?? monitor.problems)],
    gaps,
  };
}

/** What the report reads from the monitor source. */
interface MonitorPart {
  targets: ReportTarget[];
  deploys: ReportDeploy[];
  problems: FleetProblem[];
}

async function readMonitor(
  source: ReportMonitorSource | undefined,
  sinceMs: number,
  untilMs: number,
  gaps: ReportGap[],
  signal: AbortSignal | undefined,
): Promise<MonitorPart> {
  if (!source) {
    gaps.push({ source: 'monitor', error: 'no dashboard or monitor to read uptime, incidents and deploys from' });
    return { targets: [], deploys: [], problems: [] };
  }
  let status: FleetStatus;
  try {
    status = await source.status(signal);
  } catch (error) {
    gaps.push({ source: 'monitor', error: describeError(error) });
    return { targets: [], deploys: [], problems: [] };
  }
  const [targets, deploys] = await Promise.all([
    readTargets(source, status, sinceMs, untilMs, gaps, signal),
    readDeploys(source, sinceMs, gaps, signal),
  ]);
  return { targets, deploys, problems: status.problems };
}

async function readTargets(
  source: ReportMonitorSource,
  status: FleetStatus,
  sinceMs: number,
  untilMs: number,
  gaps: ReportGap[],
  signal: AbortSignal | undefined,
): Promise<ReportTarget[]> {
  const statuses = status.hosts.flatMap((host) => host.targets);
  const reports: ReportTarget[] = new Array(statuses.length);
  let next = 0;
  const failed: string[] = [];
  let lastError = '';
  const worker = async () => {
    while (next < statuses.length) {
      const index = next++;
      const target = statuses[index]!;
      let detail: Awaited<ReturnType<ReportMonitorSource['detail']>>;
      let coarseEdge = false;
      try {
        const read: ReadHistory = async (from, to, resolution) =>
          (await source.detail(target.id, { from, to, resolution }, signal))?.history ?? [];
        const whole = await source.detail(target.id, { from: sinceMs, to: untilMs }, signal);
        if (whole) {
          const inPeriod = await historyInPeriod(whole.history, sinceMs, untilMs, read);
          detail = { ...whole, history: inPeriod.history };
          coarseEdge = inPeriod.partial;
        }
      } catch (error) {
        failed.push(target.id);
        lastError = describeError(error);
      }
      reports[index] = targetReport(target, detail, sinceMs, untilMs, MAX_TRANSITIONS, coarseEdge);
    }
  };
  await Promise.all(Array.from({ length: Math.min(DETAIL_CONCURRENCY, statuses.length) }, worker));
  if (failed.length > 0) {
    gaps.push({ source: 'monitor', error: `history of ${failed.sort().join(', ')} not read: ${lastError}` });
  }
  return reports;
}

async function readDeploys(
  source: ReportMonitorSource,
  sinceMs: number,
  gaps: ReportGap[],
  signal: AbortSignal | undefined,
): Promise<ReportDeploy[]> {
  if (!source.deploys) return [];
  try {
    const { runs } = await source.deploys(DEPLOY_RUNS, signal);
    return runs.filter((run) => Date.parse(run.startedAt) >= sinceMs).map(deployReport);
  } catch (error) {
    gaps.push({ source: 'deploys', error: describeError(error) });
    return [];
  }
}
