import type { Fleet } from './schema.ts';
import { servicesOfKind, serviceUrl } from './targets.ts';

/** The fleet's dashboard as the fleet file describes it: where clients reach it and the token it accepts. */
export interface FleetDashboard {
  /** Its service name in the fleet file. */
  name: string;
  /** Base URL of the dashboard: its service's scheme, its host's `address` (IPv6 in brackets) and its port. */
  url: string;
  /** The token it accepts (its service's `token`), if it has one. */
  token?: string;
}

/**
 * The fleet's dashboard: the first `dashboard` service of the fleet file, in file order, or
 * `undefined` when the file has none. What reaches the dashboard without being told where it is
 * (`fleet report`, a deploy reporting its run, the link in alerts) uses this one; each caller puts
 * its own overrides first (`--url` and `FLEET_DASHBOARD_URL`, a deploy's `dashboard` option,
 * `alerts.dashboardUrl`), and the file's token goes only to the file's URL.
 *
 * @example fleetDashboard(fleet) // { name: 'dashboard', url: 'http://10.0.0.5:8652', token: 'dash-secret' }
 */
export function fleetDashboard(fleet: Fleet): FleetDashboard | undefined {
  const [service] = servicesOfKind(fleet, 'dashboard');
  if (!service) return undefined;
  return {
    name: service.name,
    url: serviceUrl(fleet, service.name)!,
    ...(service.token !== undefined ? { token: service.token } : {}),
  };
}
