import type { DashboardDeployRun } from '../../dashboard/deploy-status.ts';
import type { ReportDeploy } from '../fleet-report.ts';

/** A deploy run as the report lists it. */
export function deployReport(run: DashboardDeployRun): ReportDeploy {
  return {
    id: run.id,
    trigger: run.trigger,
    user: run.user ?? null,
    from: run.from ?? null,
    commit: run.commit ?? null,
    message: run.message ?? null,
    status: run.status,
    startedAt: run.startedAt,
    durationMs: run.durationMs ?? null,
    hosts: run.hosts.map((host) => ({ host: host.host, status: host.status, rollback: host.rollback ?? null })),
    problems: run.problems,
  };
}
