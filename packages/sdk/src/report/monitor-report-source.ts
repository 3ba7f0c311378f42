import type { DeployRunLog } from '../monitor/deploys/deploy-run-log.ts';
import type { FleetMonitor } from '../monitor/fleet-monitor.ts';
import type { FleetStatus } from '../schemas/fleet-status.ts';
import type { ReportMonitorSource } from './report-sources.ts';

/** Options of {@link monitorReportSource}. */
export interface MonitorReportSourceOptions {
  /** The monitor whose history the report reads. */
  monitor: FleetMonitor;
  /** The fleet's status now (the dashboard's cached one, or `buildFleetStatus`). */
  status: () => FleetStatus;
  /** The deploy runs the deployer posted, when this process keeps them. */
  deploys?: DeployRunLog;
}

/**
 * A {@link ReportMonitorSource} over a monitor in this process: what the process that runs the
 * monitor and the alerts (the dashboard) builds its scheduled report from, with no HTTP in between.
 *
 * @example
 * const source = monitorReportSource({ monitor, status: () => view.status().status, deploys });
 */
export function monitorReportSource(options: MonitorReportSourceOptions): ReportMonitorSource {
  const { monitor, status, deploys } = options;
  return {
    status: async () => status(),
    detail: async (id, range) => monitor.detail(id, range),
    ...(deploys === undefined ? {} : { deploys: async (limit: number) => deploys.deploys(limit) }),
  };
}
