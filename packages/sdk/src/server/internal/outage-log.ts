import type { FleetError } from '../../errors.ts';
import { describeOutage } from '../../internal/outage.ts';

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
