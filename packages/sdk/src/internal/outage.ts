import { type FleetError, isFleetError } from '../errors.ts';

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
