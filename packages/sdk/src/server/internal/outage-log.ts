import { type FleetError, isFleetError } from '../../errors.ts';

/** At most one line per this many milliseconds, per logger, about answers of `unavailable`. */
export const OUTAGE_LOG_EVERY_MS = 10_000;

interface OutageLines {
  /** When the last line was written. */
  at: number;
  /** Answers of `unavailable` since then that wrote no line. */
  leftOut: number;
}

/** Where outage lines go: a server's logger. */
type OutageLogger = Pick<Console, 'warn'>;

const lines = new WeakMap<OutageLogger, OutageLines>();

/**
 * Whether `error` says a store's database is away (`unavailable`: PostgreSQL down or unreachable,
 * a store closing): an outage to report, not a bug to debug.
 */
export function isOutage(error: unknown): error is FleetError {
  return isFleetError(error) && error.code === 'unavailable';
}

/** An outage in one line: the error's message and its cause's (`connect ECONNREFUSED 10.0.0.5:5432`). */
export function describeOutage(error: FleetError): string {
  const cause = (error.cause as { message?: unknown } | undefined)?.message;
  return typeof cause === 'string' && cause !== '' ? `${error.message} (${cause})` : error.message;
}

/**
 * Logs that `where` answered `unavailable` because of `error` in one line, without the stack, and
 * at most one line every {@link OUTAGE_LOG_EVERY_MS} per logger, saying how many answers it left
 * out since the last: a bus under load fails thousands of requests a second while its database is
 * away, and a line (with a stack) for each would bury everything else in the log.
 */
export function logOutage(logger: OutageLogger, where: string, error: FleetError, now = Date.now()): void {
  const last = lines.get(logger);
  if (last && now - last.at < OUTAGE_LOG_EVERY_MS) {
    last.leftOut += 1;
    return;
  }
  const more = last?.leftOut ? `; ${last.leftOut} more answered unavailable since the last such line` : '';
  lines.set(logger, { at: now, leftOut: 0 });
  logger.warn(`${where} failed with unavailable: ${describeOutage(error)}${more}`);
}
