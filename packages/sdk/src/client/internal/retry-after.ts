import { isHTTPError } from 'ky';

/** The headers ky reads a retry delay from, in its order (ky 1.14, `Ky.#calculateRetryDelay`). */
const RETRY_AFTER_HEADERS = [
  'Retry-After',
  'RateLimit-Reset',
  'X-RateLimit-Retry-After',
  'X-RateLimit-Reset',
  'X-Rate-Limit-Reset',
] as const;

/** The statuses ky honours those headers on (its default `afterStatusCodes`). */
const AFTER_STATUS_CODES: ReadonlySet<number> = new Set([413, 429, 503]);

/**
 * How long ky would wait before retrying after `error`, when the answer told it (`Retry-After` in
 * seconds or as an HTTP date, or one of the rate-limit headers ky also reads); undefined when ky
 * would use its own backoff. Mirrors ky's reading, so a call can give up at once on a wait that
 * would outlast its deadline.
 */
export function retryAfterMs(error: unknown, now = Date.now()): number | undefined {
  return isHTTPError(error) ? answerRetryAfterMs(error.response, now) : undefined;
}

/**
 * The wait an error answer asks for, read as ky reads it (see {@link retryAfterMs}): undefined
 * unless its status is one ky honours it on (413, 429, 503) and it names one. May be negative (a
 * date already past).
 */
export function answerRetryAfterMs(response: Response, now = Date.now()): number | undefined {
  if (!AFTER_STATUS_CODES.has(response.status)) return undefined;
  const value = RETRY_AFTER_HEADERS.map((name) => response.headers.get(name)).find((v) => v !== null);
  if (value === undefined || value === null) return undefined;
  let after = Number(value) * 1000;
  if (Number.isNaN(after)) after = Date.parse(value) - now;
  // ky takes a large number for a timestamp.
  else if (after >= Date.parse('2024-01-01')) after -= now;
  return Number.isNaN(after) ? undefined : after;
}
