import { FleetError } from '../../errors.ts';

/** Why the message database cannot be written: the `details.reason` of the `unavailable` it answers. */
export type StorageFailure = 'disk_full' | 'read_only' | 'locked' | 'io_error';

/**
 * What each storage failure tells a client (no path: it reaches clients). The one table: a reason
 * added to {@link StorageFailure} needs its message here.
 */
const MESSAGES: Readonly<Record<StorageFailure, string>> = {
  disk_full: "The message database's disk is full; writes fail until space is freed",
  read_only: 'The message database is read-only; writes fail until it is writable again',
  locked: 'The message database is locked by another process; try again later',
  io_error: 'The message database hit an I/O error; try again later',
};

/**
 * The storage failure a SQLite error code stands for (extended codes by their primary code:
 * `SQLITE_IOERR_WRITE` is an I/O error), or `undefined` for an error that says the statement or
 * the data is wrong (a constraint, a misuse): a bug, not the disk, and still a 500. `SQLITE_BUSY`
 * comes after `busy_timeout`: another connection held the write lock all that time.
 */
export function storageFailureOf(error: unknown): StorageFailure | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return undefined;
  const primary = code.split('_', 2).join('_');
  if (primary === 'SQLITE_FULL') return 'disk_full';
  if (primary === 'SQLITE_READONLY') return 'read_only';
  if (primary === 'SQLITE_BUSY') return 'locked';
  if (primary === 'SQLITE_IOERR') return 'io_error';
  return undefined;
}

/**
 * `error` as the `unavailable` (HTTP 503, `Retry-After: 1`) it is when the database's storage failed
 * (a full disk, a read-only file, a lock another process holds, an I/O error), with the reason in
 * `details` and the SQLite error as `cause`; any other error as it is.
 */
export function asStorageError(error: unknown): unknown {
  const reason = storageFailureOf(error);
  return reason === undefined ? error : storageError(reason, error);
}

/** The `unavailable` for a storage failure, `cause` the SQLite error behind it. */
export function storageError(reason: StorageFailure, cause: unknown): FleetError {
  return new FleetError('unavailable', MESSAGES[reason], { details: { reason }, cause });
}
