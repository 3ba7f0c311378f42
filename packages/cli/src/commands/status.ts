import { output, printJson, strictArgs } from '@fleet/sdk/cli';
import { defineCommand } from 'citty';
import { fleetFileDashboard, fleetFileDashboardArgs, readCommandFleetFile } from '../fleet-file-dashboard.ts';
import { formatFleetStatus } from '../status/format-status.ts';

/** How long `fleet status` waits for the dashboard's answer. */
const STATUS_TIMEOUT_MS = 30_000;

/**
 * `fleet status`: the fleet's current state from a running dashboard, as tables by host or
 * `--json`. The dashboard is found as `fleet report` finds it: `--url`, `$FLEET_DASHBOARD_URL`, the
 * fleet file's dashboard (with its token), else the local default.
 */
export const statusCommand = defineCommand({
  meta: { name: 'status', description: 'The current fleet state from a running dashboard' },
  plugins: [strictArgs],
  args: {
    ...fleetFileDashboardArgs,
    json: { type: 'boolean', description: 'Print the status as one JSON document', default: false },
  },
  async run({ args }) {
    const file = await readCommandFleetFile(args.config);
    const dashboard = fleetFileDashboard(args, file?.fleet, STATUS_TIMEOUT_MS);
    const status = await dashboard.status();
    if (args.json) return printJson(status);
    for (const line of formatFleetStatus(status)) output.log(line);
  },
});
