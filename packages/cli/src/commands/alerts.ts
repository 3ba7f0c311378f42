import { existsSync } from 'node:fs';
import { type AlertDeliveries, DashboardClient, defaultServerUrl } from '@fleet/sdk';
import {
  type ClientEndpoint,
  clientFrom,
  defineClientArgs,
  formatTable,
  numberArg,
  output,
  printJson,
  strictArgs,
  UsageError,
} from '@fleet/sdk/cli';
import { AlertOutbox } from '@fleet/sdk/fleet';
import { defineCommand } from 'citty';
import { ALERTS_DB_HELP, findAlertOutbox, noAlertOutbox } from '../alerts/find-alert-outbox.ts';

/** Where `fleet alerts --url` finds the dashboard that sends the alerts. */
const dashboardEndpoint: ClientEndpoint = {
  label: 'Dashboard',
  urlEnv: 'FLEET_DASHBOARD_URL',
  tokenEnv: 'FLEET_DASHBOARD_TOKEN',
  defaultUrl: defaultServerUrl('dashboard'),
};

/** The most deliveries the dashboard's `GET /api/alerts` lists at once. */
const DASHBOARD_LIMIT = 1000;

type Deliveries = AlertDeliveries['deliveries'];

function printDeliveries(deliveries: Deliveries, json: boolean): void {
  if (json) {
    printJson(deliveries);
    return;
  }
  if (deliveries.length === 0) {
    output.log('no alerts yet');
    return;
  }
  const rows = deliveries.map((delivery) => [
    delivery.finishedAt ?? delivery.createdAt,
    delivery.status,
    delivery.channel,
    delivery.message.kind,
    delivery.message.title,
    `${delivery.attempts} attempt${delivery.attempts === 1 ? '' : 's'}${delivery.error ? `: ${delivery.error}` : ''}`,
  ]);
  for (const line of formatTable([['AT', 'STATUS', 'CHANNEL', 'KIND', 'TITLE', 'ATTEMPTS'], ...rows])) output.log(line);
}

/** The deliveries of the outbox `--db` names, or the one found; it must exist (reading never creates one). */
async function readOutbox(db: string | undefined, limit: number): Promise<Deliveries> {
  const { path: dbPath, named, tried } = await findAlertOutbox(db);
  if (dbPath === undefined || !existsSync(dbPath)) {
    throw noAlertOutbox(
      tried,
      named
        ? ' (nothing has sent alerts there yet)'
        : ' (nothing has sent alerts here yet); name it with --db, or ask the dashboard with --url',
    );
  }
  // Not started: reading never delivers, so it cannot race the process that does.
  const outbox = new AlertOutbox({ dbPath, channels: {} });
  try {
    return outbox.recent({ limit });
  } finally {
    outbox.close();
  }
}

/**
 * `fleet alerts`: the alerts sent, failed and pending, newest first: from the dashboard that sends
 * them (`--url`, or `FLEET_DASHBOARD_URL`), else from the alert outbox's file (`--db`, else the one
 * `findAlertOutbox` finds: `$FLEET_ALERTS_DB`, `./fleet-alerts.db`, `.fleet/fleet-alerts.db`).
 */
export const alertsCommand = defineCommand({
  meta: { name: 'alerts', description: 'Alerts sent, failed and pending, newest first' },
  plugins: [strictArgs],
  args: {
    db: { type: 'string', description: ALERTS_DB_HELP },
    url: {
      ...defineClientArgs(dashboardEndpoint).url,
      description:
        'Read them from this dashboard (GET /api/alerts) instead of an outbox file (default: $FLEET_DASHBOARD_URL)',
    },
    token: defineClientArgs(dashboardEndpoint).token,
    limit: { type: 'string', description: 'How many to show (default 50)' },
    json: { type: 'boolean', description: 'One JSON array of AlertDelivery objects' },
  },
  async run({ args }) {
    const limit = numberArg(args.limit, 'limit', { integer: true, min: 1, max: 10_000 }) ?? 50;
    if (args.db && args.url) throw new UsageError('give --db (an outbox file) or --url (a dashboard), not both');
    // An empty --url or $FLEET_DASHBOARD_URL is unset, as clientFrom takes it: the outbox is read.
    const url = args.db ? undefined : args.url || process.env.FLEET_DASHBOARD_URL || undefined;
    if (url === undefined) {
      return printDeliveries(await readOutbox(args.db, limit), !!args.json);
    }
    if (limit > DASHBOARD_LIMIT) throw new UsageError(`--limit: at most ${DASHBOARD_LIMIT} from a dashboard`);
    const dashboard = clientFrom({ ...args, url }, dashboardEndpoint, (options) => new DashboardClient(options));
    const answer = await dashboard.alerts(limit);
    if (!answer.enabled) {
      // The origin only: a URL given with credentials in it never reaches the output.
      const line = `the dashboard at ${new URL(url).origin} sends no alerts (its fleet file has no alerts block)`;
      if (!args.json) return output.log(line);
      output.info(line);
      return printJson([]);
    }
    printDeliveries(answer.deliveries, !!args.json);
  },
});
