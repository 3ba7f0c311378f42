import { type H3Event, HTTPError, HTTPResponse } from 'h3';
import { EncodedJson } from '../../contract/encoded-json.ts';
import { isFleetError } from '../../errors.ts';
import { errorCodeOf } from '../../schemas/error.ts';
import { HttpError, isHttpError } from '../http-error.ts';

/** Where the plumbing reports failures. */
export type ServerLogger = Pick<Console, 'info' | 'warn' | 'error'>;

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8' } as const;

/**
 * The value a route returns to h3 for a JSON answer. Plain objects and arrays go through h3's own
 * serializer (shared frozen headers, no allocation); `EncodedJson` is sent as it is; anything else
 * is serialized here.
 */
export function jsonResult(event: H3Event, result: unknown, status: number): unknown {
  if (typeof result === 'object' && result !== null) {
    if (result instanceof Response || result instanceof HTTPResponse) return result;
    if (result instanceof EncodedJson) return new HTTPResponse(result.text, { status, headers: JSON_HEADERS });
    const proto = Object.getPrototypeOf(result);
    if (Array.isArray(result) || proto === Object.prototype || proto === null) {
      if (status !== 200) event.res.status = status;
      return result;
    }
  }
  return new HTTPResponse(JSON.stringify(result ?? null), { status, headers: JSON_HEADERS });
}

/** The error envelope as an h3 response value. */
export function errorResult(error: HttpError): HTTPResponse {
  return new HTTPResponse(JSON.stringify(error.toJSON()), {
    status: error.status,
    headers: error.headers ? { ...JSON_HEADERS, ...error.headers } : JSON_HEADERS,
  });
}

/**
 * Maps anything a handler or the plumbing threw to an {@link HttpError}: an `HttpError` as is,
 * a `FleetError` by its code (keeping its details), an h3 `HTTPError` by its status, and anything
 * else to a generic 500 `internal` whose cause is logged, never sent.
 */
export function toHttpError(error: unknown, logger: ServerLogger, where: string): HttpError {
  if (isHttpError(error)) return error;
  if (isFleetError(error)) {
    const answer = new HttpError(error.code, error.message, {
      ...(error.details === undefined ? {} : { details: error.details }),
      cause: error,
    });
    if (answer.status >= 500) logger.warn(`${where} failed with ${error.code}:`, error);
    return answer;
  }
  if (HTTPError.isError(error) && error.status < 500) {
    return new HttpError(errorCodeOf(error.status), error.message, {
      cause: error,
    });
  }
  logger.error(`${where} failed:`, error);
  return new HttpError('internal', 'Internal server error', { cause: error });
}
