import { existsSync } from 'node:fs';
import { formatTable, numberArg, output, printJson, strictArgs, UsageError } from '@fleet/sdk/cli';
import { AlertOutbox } from '@fleet/sdk/fleet';
import { defineCommand } from 'citty';

/** Where alerting keeps its outbox unless told otherwise (`startAlerting`'s `dbPath`). */
export const DEFAULT_ALERTS_DB = './fleet-alerts.db';

/** `fleet alerts`: the alerts sent, failed and pending, newest first, from the alert outbox's file. */
export const alertsCommand = defineCommand({
  meta: { name: 'alerts', description: 'Alerts sent, failed and pending, newest first' },
  plugins: [strictArgs],
  args: {
    db: {
      type: 'string',
      description: `The alert outbox (SQLite) of the process that sends alerts (env FLEET_ALERTS_DB; default ${DEFAULT_ALERTS_DB})`,
    },
    limit: { type: 'string', description: 'How many to show (default 50)' },
    json: { type: 'boolean', description: 'One JSON array of AlertDelivery objects' },
  },
  run({ args }) {
    const dbPath = args.db ?? process.env.FLEET_ALERTS_DB ?? DEFAULT_ALERTS_DB;
    const limit = numberArg(args.limit, 'limit', { integer: true, min: 1, max: 10_000 }) ?? 50;
    if (!existsSync(dbPath)) throw new UsageError(`no alert outbox at ${dbPath} (nothing has sent alerts there yet)`);
    // Not started: reading never delivers, so it cannot race the process that does.
    const outbox = new AlertOutbox({ dbPath, channels: {} });
    try {
      const deliveries = outbox.recent({ limit });
      if (args.json) return printJson(deliveries);
      if (deliveries.length === 0) return output.log('no alerts yet');
      const rows = deliveries.map((delivery) => [
        delivery.finishedAt ?? delivery.createdAt,
        delivery.status,
        delivery.channel,
        delivery.message.kind,
        delivery.message.title,
        `${delivery.attempts} attempt${delivery.attempts === 1 ? '' : 's'}${delivery.error ? `: ${delivery.error}` : ''}`,
      ]);
      for (const line of formatTable([['AT', 'STATUS', 'CHANNEL', 'KIND', 'TITLE', 'ATTEMPTS'], ...rows]))
        output.log(line);
    } finally {
      outbox.close();
    }
  },
});
