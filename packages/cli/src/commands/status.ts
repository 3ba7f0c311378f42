import { DashboardClient, defaultServerUrl } from '@fleet/sdk';
import { type ClientEndpoint, clientFrom, defineClientArgs, output, printJson, strictArgs } from '@fleet/sdk/cli';
import { defineCommand } from 'citty';
import { formatFleetStatus } from '../status/format-status.ts';

/** Where `fleet status` finds the dashboard. */
const dashboardEndpoint: ClientEndpoint = {
  label: 'Dashboard',
  urlEnv: 'FLEET_DASHBOARD_URL',
  tokenEnv: 'FLEET_DASHBOARD_TOKEN',
  defaultUrl: defaultServerUrl('dashboard'),
};

/** `fleet status`: the fleet's current state from a running dashboard, as tables by host or `--json`. */
export const statusCommand = defineCommand({
  meta: { name: 'status', description: 'The current fleet state from a running dashboard' },
  plugins: [strictArgs],
  args: { ...defineClientArgs(dashboardEndpoint) },
  async run({ args }) {
    const dashboard = clientFrom(args, dashboardEndpoint, (options) => new DashboardClient(options));
    const status = await dashboard.status();
    if (args.json) return printJson(status);
    for (const line of formatFleetStatus(status)) output.log(line);
  },
});
