import { existsSync } from 'node:fs';
import { formatTable, numberArg, output, printJson, strictArgs, UsageError } from '@fleet/sdk/cli';
import { AlertOutbox, type AlertSilence } from '@fleet/sdk/fleet';
import { defineCommand } from 'citty';
import { ALERTS_DB_HELP, findAlertOutbox, noAlertOutbox } from '../alerts/find-alert-outbox.ts';
import { NEW_SILENCE_OPTIONS, type NewSilenceArgs, silenceFromArgs } from '../alerts/silence-args.ts';

function describeSilence(silence: AlertSilence): string {
  const what = [
    ...(silence.targets ?? []).map((name) => `target ${name}`),
    ...(silence.hosts ?? []).map((name) => `host ${name}`),
    ...(silence.groups ?? []).map((name) => `group ${name}`),
  ];
  return what.length > 0 ? what.join(', ') : 'everything';
}

/** `--list`, `--remove` and a new silence's options are three different commands: one at a time. */
function assertOneMode(args: NewSilenceArgs & { list?: boolean | undefined; remove?: string | undefined }): void {
  const modes = [
    ...(args.list ? ['--list'] : []),
    ...(args.remove === undefined ? [] : ['--remove']),
    ...NEW_SILENCE_OPTIONS.filter((name) => args[name] !== undefined).map((name) => `--${name}`),
  ];
  const [first, second] = modes;
  if ((first === '--list' || first === '--remove') && second !== undefined) {
    throw new UsageError(`${first} does not go with ${second}`);
  }
}

/**
 * `fleet silence`: a maintenance window set from the command line, stored in the alert outbox's
 * file, which the alerting process (the dashboard) reads at every check. `--list` and `--remove`,
 * each on its own. A bad command line is refused before the outbox is opened.
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
    assertOneMode(args);
    const remove = numberArg(args.remove, 'remove', { integer: true, min: 1 });
    const silence = args.list || remove !== undefined ? undefined : silenceFromArgs(args, rawArgs, Date.now());
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
      if (silence !== undefined) {
        const id = outbox.addSilence(silence);
        if (args.json) return printJson({ id, ...silence });
        return output.log(`silence ${id}: ${describeSilence(silence)} until ${silence.until}`);
      }
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
    } finally {
      outbox.close();
    }
  },
});
