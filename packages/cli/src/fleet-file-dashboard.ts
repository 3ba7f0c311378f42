import { DashboardClient, defaultServerUrl, type FleetProblem } from '@fleet/sdk';
import { type ClientEndpoint, clientFrom, UsageError } from '@fleet/sdk/cli';
import { type Fleet, fleetDashboard, loadFleetFile } from '@fleet/sdk/fleet';
import { defaultFleetFile, exists } from './up/fleet-file.ts';

/** Where `fleet report` and `fleet status` find the dashboard when the fleet file names none. */
const dashboardEndpoint: ClientEndpoint = {
  label: 'Dashboard',
  urlEnv: 'FLEET_DASHBOARD_URL',
  tokenEnv: 'FLEET_DASHBOARD_TOKEN',
  defaultUrl: defaultServerUrl('dashboard'),
};

/** The fleet file as `fleet report` or `fleet status` read it. */
export interface CommandFleetFile {
  path: string;
  /** The fleet, when the file has no errors. */
  fleet: Fleet | undefined;
  /** Every problem of the file, in document order. */
  problems: FleetProblem[];
}

/**
 * Loads the fleet file named by `--config`, else the one `fleet doctor` would check (`./fleet.yaml`,
 * else the one `fleet up` keeps in `.fleet/`). `undefined` when no file was named and none is
 * there; a named file that does not exist is a {@link UsageError}.
 */
export async function readCommandFleetFile(named: string | undefined): Promise<CommandFleetFile | undefined> {
  const path = named ?? (await defaultFleetFile());
  if (!(await exists(path))) {
    if (named !== undefined) throw new UsageError(`--config: no fleet file at ${named}`);
    return undefined;
  }
  const { value, errors, warnings } = await loadFleetFile(path);
  const problems = [...errors, ...warnings].sort((a, b) => a.line - b.line || a.column - b.column);
  return { path, fleet: value, problems };
}

/**
 * The dashboard client of `fleet report` and `fleet status`: `--url`/`--token`, else
 * `FLEET_DASHBOARD_URL` and `FLEET_DASHBOARD_TOKEN`, else the fleet file's dashboard
 * (`fleetDashboard`, with its token), else the default local dashboard.
 */
export function fleetFileDashboard(
  args: { url?: string | undefined; token?: string | undefined },
  fleet: Fleet | undefined,
  timeoutMs: number,
): DashboardClient {
  const own = fleet === undefined ? undefined : fleetDashboard(fleet);
  // The file's token goes only to the file's dashboard, never to a URL given here.
  const fromFleet = own !== undefined && !args.url && !process.env[dashboardEndpoint.urlEnv];
  const envToken = process.env[dashboardEndpoint.tokenEnv];
  const token = args.token || envToken || (fromFleet ? own.token : undefined);
  // A token a header cannot carry is reported against where it came from, never shown.
  const tokenSource = args.token
    ? '--token'
    : envToken
      ? `$${dashboardEndpoint.tokenEnv}`
      : "the fleet file's dashboard token";
  const endpoint = fromFleet ? { ...dashboardEndpoint, defaultUrl: own.url } : dashboardEndpoint;
  return clientFrom(
    { url: args.url, token, tokenSource },
    endpoint,
    (options) => new DashboardClient({ ...options, timeoutMs }),
  );
}

/** The `--config`, `--url` and `--token` options of the commands that read the dashboard through {@link fleetFileDashboard}. */
export const fleetFileDashboardArgs = {
  config: {
    type: 'string',
    description: 'Fleet file (default: ./fleet.yaml if it exists, else the one fleet up keeps in .fleet/)',
    valueHint: 'path',
  },
  url: {
    type: 'string',
    description: `Dashboard URL (default: $FLEET_DASHBOARD_URL, the fleet file's dashboard, or ${defaultServerUrl('dashboard')})`,
    valueHint: 'url',
  },
  token: {
    type: 'string',
    description: "Dashboard bearer token (default: $FLEET_DASHBOARD_TOKEN, or the fleet file's dashboard token)",
    valueHint: 'token',
  },
} as const;
