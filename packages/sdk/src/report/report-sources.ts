import type { BusClient } from '../bus/bus-client.ts';
import type { DashboardClient } from '../dashboard/dashboard-client.ts';
import type { DashboardDeploys } from '../dashboard/deploy-status.ts';
import type { KnowledgeClient } from '../knowledge/knowledge-client.ts';
import type { FleetProblem, FleetStatus } from '../schemas/fleet-status.ts';
import type { HistoryResolution, ServiceDetail } from '../schemas/monitor.ts';

/** A history range as the report asks for it, epoch ms. */
export interface ReportRange {
  from: number;
  to: number;
  /** The resolution of the history; without it the source picks the finest kept for the whole range. */
  resolution?: HistoryResolution;
}

/**
 * Where the report reads the monitor's view and the deploys: a dashboard's API
 * ({@link dashboardReportSource}) or, in the process that runs the monitor, the monitor itself.
 */
export interface ReportMonitorSource {
  /** The fleet's status: targets by host, and the fleet file's problems. */
  status(signal?: AbortSignal): Promise<FleetStatus>;
  /** One target's history and state transitions over `range` (every transition in it). */
  detail(id: string, range: ReportRange, signal?: AbortSignal): Promise<ServiceDetail | undefined>;
  /** Recent deploy runs, newest first; `undefined` when this source has none. */
  deploys?(limit: number, signal?: AbortSignal): Promise<DashboardDeploys>;
}

/** A bus service the report reads (its audit trail and queue stats). */
export interface ReportBusSource {
  /** The service's name in the fleet file. */
  target: string;
  client: Pick<BusClient, 'audit' | 'stats'>;
}

/** A knowledge service the report reads (its sync status). */
export interface ReportKnowledgeSource {
  /** The service's name in the fleet file. */
  target: string;
  client: Pick<KnowledgeClient, 'syncStatus'>;
}

/** Everything {@link buildFleetReport} reads. A source that fails becomes a gap in the report. */
export interface FleetReportSources {
  /** The monitor's view and the deploys; without it the report has no targets or deploys (a gap). */
  monitor?: ReportMonitorSource;
  buses?: readonly ReportBusSource[];
  knowledge?: readonly ReportKnowledgeSource[];
  /** The fleet file's problems, when read here (otherwise the monitor source's status gives them). */
  problems?: readonly FleetProblem[];
  /** The fleet's name, shown in the report's title. */
  fleet?: string;
  /**
   * How the error of a source that could not be read is shown (in its section and under gaps):
   * `fleetReportServices` gives each value the fleet file took from the environment as its
   * `${ENV}` reference, as `fleet status` and the dashboard show it.
   * @default the error's message as it is
   * @example (message) => showReferences(fleet, message)
   */
  showError?: (message: string) => string;
}

/**
 * A {@link ReportMonitorSource} over a dashboard's API: `GET /api/status`, `/api/services/<id>`
 * and `/api/deploys`.
 *
 * @example
 * const report = await buildFleetReport({ monitor: dashboardReportSource(new DashboardClient({ url, token })) });
 */
export function dashboardReportSource(client: DashboardClient): ReportMonitorSource {
  const options = (signal?: AbortSignal) => (signal ? { signal } : undefined);
  return {
    status: (signal) => client.status(options(signal)),
    detail: (id, range, signal) => client.service(id, range, options(signal)),
    deploys: (limit, signal) => client.deploys(limit, options(signal)),
  };
}
