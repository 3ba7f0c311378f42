import { existsSync } from 'node:fs';
import {
  durationArg,
  formatTable,
  numberArg,
  output,
  printJson,
  repeatedValues,
  strictArgs,
  UsageError,
} from '@fleet/sdk/cli';
import { AlertOutbox, type AlertSilence } from '@fleet/sdk/fleet';
import { defineCommand } from 'citty';
import { ALERTS_DB_HELP, findAlertOutbox, noAlertOutbox } from '../alerts/find-alert-outbox.ts';

function describeSilence(silence: AlertSilence): string {
  const what = [
    ...(silence.targets ?? []).map((name) => `target ${name}`),
    ...(silence.hosts ?? []).map((name) => `host ${name}`),
    ...(silence.groups ?? []).map((name) => `group ${name}`),
  ];
  return what.length > 0 ? what.join(', ') : 'everything';
}

/**
 * `fleet silence`: a maintenance window set from the command line, stored in the alert outbox's
 * file, which the alerting process (the dashboard) reads at every check. `--list` and `--remove`.
 * Without `--db` (or `$FLEET_ALERTS_DB`) it uses the outbox found by `findAlertOutbox` and refuses
 * to create one, which no alerting process would read.
 */
export const silenceCommand = defineCommand({
  meta: { name: 'silence', description: 'Silence alerts for targets, hosts or groups for a while (or list, remove)' },
  plugins: [strictArgs],
  args: {
    target: { type: 'string', description: 'A service or wizard to silence (repeatable)' },
    host: { type: 'string', description: 'A host whose targets to silence (repeatable)' },
    group: { type: 'string', description: 'A host group to silence (repeatable)' },
    for: { type: 'string', description: 'How long, from now or --from: 30m, 2h' },
    from: { type: 'string', description: 'Start, ISO 8601 (default now)' },
    until: { type: 'string', description: 'End, ISO 8601 (instead of --for)' },
    reason: { type: 'string', description: 'Why, shown with the silence' },
    list: { type: 'boolean', description: 'List the silences set this way that have not ended' },
    remove: { type: 'string', description: 'Remove the silence with this id' },
    db: { type: 'string', description: ALERTS_DB_HELP },
    json: { type: 'boolean', description: 'Print JSON' },
  },
  async run({ args, rawArgs }) {
    const remove = numberArg(args.remove, 'remove', { integer: true, min: 1 });
    const { path: dbPath, named, tried } = await findAlertOutbox(args.db);
    if (dbPath === undefined) {
      // A new outbox where no alerting process looks would take the silence and apply it nowhere.
      throw noAlertOutbox(
        tried,
        args.list || remove !== undefined
          ? ' (nothing has sent alerts here yet); name it with --db'
          : ', so no alerting process would read this silence; start the dashboard with an alerts block ' +
              'in its fleet file first, or name the outbox with --db',
      );
    }
    if ((args.list || remove !== undefined) && !existsSync(dbPath)) {
      throw noAlertOutbox(tried, ` (nothing has sent alerts there yet)${named ? '' : '; name it with --db'}`);
    }
    const outbox = new AlertOutbox({ dbPath, channels: {} });
    try {
      if (args.list) {
        const silences = outbox.silences();
        if (args.json) return printJson(silences);
        if (silences.length === 0) return output.log('no silences');
        const rows = silences.map((s) => [String(s.id), s.from, s.until, describeSilence(s), s.reason ?? '']);
        for (const line of formatTable([['ID', 'FROM', 'UNTIL', 'SILENCES', 'REASON'], ...rows])) output.log(line);
        return;
      }
      if (remove !== undefined) {
        if (!outbox.removeSilence(remove)) throw new UsageError(`no silence with id ${remove}`);
        return args.json ? printJson({ removed: remove }) : output.log(`removed silence ${remove}`);
      }
      const fromMs = args.from === undefined ? Date.now() : Date.parse(args.from);
      if (Number.isNaN(fromMs)) throw new UsageError(`--from must be an ISO 8601 time, got "${args.from}"`);
      const forMs = durationArg(args.for, 'for', 1000);
      if ((forMs === undefined) === (args.until === undefined)) throw new UsageError('give either --for or --until');
      const untilMs = forMs === undefined ? Date.parse(args.until ?? '') : fromMs + forMs;
      if (Number.isNaN(untilMs)) throw new UsageError(`--until must be an ISO 8601 time, got "${args.until}"`);
      if (untilMs <= fromMs) throw new UsageError('the silence must end after it starts');
      const pick = (name: string) => {
        const values = repeatedValues(rawArgs, name);
        return values.length > 0 ? values : undefined;
      };
      const targets = pick('target');
      const hosts = pick('host');
      const groups = pick('group');
      const silence: AlertSilence = {
        ...(targets ? { targets } : {}),
        ...(hosts ? { hosts } : {}),
        ...(groups ? { groups } : {}),
        from: new Date(fromMs).toISOString(),
        until: new Date(untilMs).toISOString(),
        ...(args.reason === undefined ? {} : { reason: args.reason }),
      };
      let id: number;
      try {
        id = outbox.addSilence(silence);
      } catch (error) {
        throw new UsageError(`invalid silence: ${(error as Error).message}`);
      }
      if (args.json) return printJson({ id, ...silence });
      output.log(`silence ${id}: ${describeSilence(silence)} until ${silence.until}`);
    } finally {
      outbox.close();
    }
  },
});
