import type { StartAlertingOptions } from '../alerts/start-alerting.ts';
import { fleetDashboard } from './fleet-dashboard.ts';
import type { Fleet } from './schema.ts';

/**
 * What `startAlerting` needs of the fleet besides its `alerts` block: the fleet's name (in every
 * title and message), the dashboard alerts link to (`alerts.dashboardUrl`, else the URL of the
 * fleet file's first `dashboard` service, see {@link fleetDashboard}; absent when there is
 * neither) and the host groups that rules and silences may name.
 *
 * @example
 * const alerting = startAlerting({ monitor, spec: fleet.alerts, dbPath: '.fleet/alerts.db', ...fleetAlertingOptions(fleet) });
 */
export function fleetAlertingOptions(
  fleet: Fleet,
): Required<Pick<StartAlertingOptions, 'hostGroups'>> & Pick<StartAlertingOptions, 'fleet' | 'dashboardUrl'> {
  const dashboardUrl = fleet.alerts?.dashboardUrl ?? fleetDashboard(fleet)?.url;
  return {
    ...(fleet.name === undefined ? {} : { fleet: fleet.name }),
    ...(dashboardUrl === undefined ? {} : { dashboardUrl }),
    hostGroups: Object.fromEntries(Object.entries(fleet.hosts).map(([name, host]) => [name, host.groups])),
  };
}
