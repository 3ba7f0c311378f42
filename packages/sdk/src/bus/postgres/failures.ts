import { FleetError, isFleetError } from '../../errors.ts';

/** SQLSTATEs a transaction may simply be run again after: serialization failure, deadlock. */
const RETRYABLE_STATES = new Set(['40001', '40P01']);

/**
 * SQLSTATEs that say the database cannot serve right now: shutting down or starting up, out of
 * connections or resources, a statement that ran past `statement_timeout`, a lock not had within
 * `lock_timeout` (a migration's DDL), or a write refused by a server that takes none
 * ({@link isReadOnlyServer}).
 */
const UNAVAILABLE_STATES = new Set([
  '57P01',
  '57P02',
  '57P03',
  '53300',
  '53000',
  '53100',
  '53200',
  '57014',
  '55P03',
  '25006',
]);

/** SQLSTATE `read_only_sql_transaction`. */
const READ_ONLY_STATE = '25006';

/** Node socket errors of a database that is down or unreachable. */
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** Messages `pg` uses for a connection it lost or could not make (these errors carry no code). */
const LOST_CONNECTION =
  /timeout exceeded when trying to connect|Connection terminated|connection error and is not queryable|Query read timeout|Client was closed|Cannot use a pool after calling end/i;

/** How many times a transaction that hit a deadlock or serialization failure is tried in all. */
export const PG_TRANSACTION_ATTEMPTS = 4;

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Whether `error` is a deadlock or serialization failure: the transaction can run again as it is. */
export function isRetryablePgError(error: unknown): boolean {
  return RETRYABLE_STATES.has(codeOf(error) ?? '');
}

/** SQLSTATEs whose connection the server has closed: shutting down, or the backend terminated. */
const CLOSED_STATES = new Set(['57P01', '57P02', '57P03']);

/**
 * Whether `error` says this connection is gone or unusable (lost, refused, closed by the server, or
 * a statement past the driver's `query_timeout` that the driver still counts as running), rather
 * than that the database refused one statement on a connection that still works (a
 * `statement_timeout`, out of memory): such a connection gets no ROLLBACK, which would wait behind
 * it, and goes back to no one.
 */
export function isLostConnection(error: unknown): boolean {
  if (isFleetError(error) || !(error instanceof Error)) return false;
  const code = codeOf(error) ?? '';
  if (SOCKET_CODES.has(code) || CLOSED_STATES.has(code) || code.startsWith('08')) return true;
  if (error instanceof AggregateError && error.errors.some(isLostConnection)) return true;
  return LOST_CONNECTION.test(error.message);
}

/**
 * Whether `error` is a write refused because the server takes no writes: a hot standby, or a primary
 * that a failover demoted while DNS or a pooler still sends this replica's connections to it. Such a
 * connection is not given out again: a new one may reach the new primary.
 */
export function isReadOnlyServer(error: unknown): boolean {
  return !isFleetError(error) && codeOf(error) === READ_ONLY_STATE;
}

/**
 * Whether `error` (the driver's, or the `unavailable` that {@link pgOperation} made of it) says the
 * database could not be reached or the connection to it was lost (a connection or reply that timed
 * out, a refused or reset connection, a server shutting down): any other statement now would meet
 * the same wall, unlike a statement that ran past `statement_timeout` or a migration under way.
 */
export function isUnreachablePgError(error: unknown): boolean {
  return isLostConnection(isFleetError(error) ? error.cause : error);
}

/** Whether `error` says the database is down, unreachable or overloaded (not that the request was wrong). */
export function isUnavailablePgError(error: unknown): boolean {
  if (isLostConnection(error)) return true;
  if (isFleetError(error) || !(error instanceof Error)) return false;
  if (UNAVAILABLE_STATES.has(codeOf(error) ?? '')) return true;
  return error instanceof AggregateError && error.errors.some(isUnavailablePgError);
}

/**
 * Runs a database operation: again (a bounded number of times, after a short random pause) when
 * it hit a deadlock or a serialization failure, and turns "the database is unreachable" into
 * `FleetError('unavailable')` (HTTP 503) with the driver's error as its cause. The message names
 * no host: it reaches clients.
 */
export async function pgOperation<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      if (isRetryablePgError(error) && attempt < PG_TRANSACTION_ATTEMPTS) {
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
        continue;
      }
      if (isUnavailablePgError(error)) {
        throw new FleetError('unavailable', 'The message database is unavailable; try again later', { cause: error });
      }
      throw error;
    }
  }
}
