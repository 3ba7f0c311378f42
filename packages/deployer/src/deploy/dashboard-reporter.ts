import { hostname, userInfo } from 'node:os';
import { DashboardClient, type DashboardDeployReporter, dashboardDeployReporter } from '@fleet/sdk';
import { type Fleet, fleetDashboard } from '@fleet/sdk/fleet';

/** Where a deploy reports its events: a dashboard's URL and token, or `false` for nowhere. */
export type DashboardTarget = false | { url: string; token?: string };

/**
 * A best-effort forwarder of a run's events to `target`, else to the fleet's dashboard (the first
 * `dashboard` service of the fleet file, with its token: `fleetDashboard`), so that it shows the
 * run live and the hosts being deployed as `deploying` rather than down. A dashboard that is
 * down, or is being deployed by this very run, never fails or holds up the deploy: events wait for
 * the next post.
 */
export function deployReporterFor(
  fleet: Fleet,
  target: DashboardTarget | undefined,
  run: { trigger: string; commit?: string | undefined; message?: string | undefined },
): DashboardDeployReporter | undefined {
  if (target === false) return undefined;
  const chosen = target ?? fleetDashboard(fleet);
  if (!chosen) return undefined;
  const client = new DashboardClient({
    url: chosen.url,
    ...(chosen.token !== undefined ? { token: chosen.token } : {}),
    retry: 0,
  });
  return dashboardDeployReporter(client, {
    run: {
      trigger: run.trigger,
      user: userInfo().username,
      from: hostname(),
      ...(run.commit ? { commit: run.commit } : {}),
      ...(run.message ? { message: run.message } : {}),
    },
  });
}
