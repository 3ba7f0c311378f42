import { UsageError } from '@fleet/sdk/cli';
import { firstExisting, fleetDirCandidates } from '../up/fleet-file.ts';

/** The outbox's file name: the dashboard keeps it next to its history, so `fleet up` has it in `.fleet/`. */
export const ALERTS_DB_FILE = 'fleet-alerts.db';

/** Where `--db` is read from when not given, like `FLEET_BUS_DB` for `fleet-bus server --db`. */
export const ALERTS_DB_ENV = 'FLEET_ALERTS_DB';

/** The `--db` help of the commands that read or write the outbox. */
export const ALERTS_DB_HELP =
  `The alert outbox (SQLite) of the process that sends alerts (default: $${ALERTS_DB_ENV}, else ` +
  `./${ALERTS_DB_FILE} if it exists, else the dashboard's in .fleet/ that fleet up runs)`;

/** Where the alert outbox is, as {@link findAlertOutbox} found it. */
export interface AlertOutboxLocation {
  /** The outbox file; `undefined` when none was named and none of the usual places has one. */
  path: string | undefined;
  /** True when `--db` or `$FLEET_ALERTS_DB` named it (it may not exist yet). */
  named: boolean;
  /** Where it was looked for, in order. */
  tried: string[];
}

/**
 * Finds the alert outbox of `fleet silence` and `fleet alerts`: `--db`, else `$FLEET_ALERTS_DB`,
 * else `./fleet-alerts.db` if it exists, else `.fleet/fleet-alerts.db` (the dashboard `fleet up`
 * runs keeps it there) if that exists. Only a named outbox may be one that does not exist yet.
 *
 * @example
 * const { path, tried } = await findAlertOutbox(args.db);
 * if (path === undefined) throw noAlertOutbox(tried, 'nothing has sent alerts here yet');
 */
export async function findAlertOutbox(
  db: string | undefined,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<AlertOutboxLocation> {
  const named = db ?? (env[ALERTS_DB_ENV] || undefined);
  if (named !== undefined) return { path: named, named: true, tried: [named] };
  const tried = fleetDirCandidates(ALERTS_DB_FILE);
  return { path: await firstExisting(tried), named: false, tried };
}

/** The one-line error for an outbox that is not there: the places tried, then `why`. */
export function noAlertOutbox(tried: readonly string[], why: string): UsageError {
  return new UsageError(`no alert outbox at ${tried.join(' or ')}${why}`);
}
