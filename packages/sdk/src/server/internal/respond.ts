import { type H3Event, HTTPError, HTTPResponse } from 'h3';
import { EncodedJson } from '../../contract/encoded-json.ts';
import { isFleetError } from '../../errors.ts';
import { errorCodeOf } from '../../schemas/error.ts';
import { HttpError, isHttpError } from '../http-error.ts';
import { logOutage } from './outage-log.ts';

/** Where the plumbing reports failures. */
export type ServerLogger = Pick<Console, 'info' | 'warn' | 'error'>;

/** The content type of the JSON Fleet serializes itself (`EncodedJson`, errors, other values). */
export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';
/** The content type h3 gives the plain objects and arrays it serializes. */
export const H3_JSON_CONTENT_TYPE = 'application/json;charset=UTF-8';
const JSON_HEADERS = { 'content-type': JSON_CONTENT_TYPE } as const;

/** A plain object or array: what h3 serializes itself. */
function isPlainJson(result: unknown): result is object {
  if (typeof result !== 'object' || result === null) return false;
  const proto = Object.getPrototypeOf(result);
  return Array.isArray(result) || proto === Object.prototype || proto === null;
}

/**
 * The value a route returns to h3 for a JSON answer. Plain objects and arrays go through h3's own
 * serializer (shared frozen headers, no allocation); anything else is encoded by
 * {@link encodeJsonResult}, the encoding node:http's direct routes send too.
 */
export function jsonResult(event: H3Event, result: unknown, status: number): unknown {
  if (isPlainJson(result)) {
    if (status !== 200) event.res.status = status;
    return result;
  }
  const encoded = encodeJsonResult(result);
  // Past plain values, every encoding is Fleet's JSON: JSON_HEADERS, shared.
  return encoded ? new HTTPResponse(encoded.text, { status, headers: JSON_HEADERS }) : result;
}

/**
 * A JSON answer as its text and content type, as h3 sends it: `undefined` for a `Response` a
 * handler returned, which only h3's response pipeline sends; `EncodedJson` as it is; a plain object
 * or array with h3's content type; anything else serialized, `undefined` as `null`.
 */
export function encodeJsonResult(result: unknown): { text: string; contentType: string } | undefined {
  if (isPlainJson(result)) return { text: JSON.stringify(result), contentType: H3_JSON_CONTENT_TYPE };
  if (result instanceof Response || result instanceof HTTPResponse) return undefined;
  if (result instanceof EncodedJson) return { text: result.text, contentType: JSON_CONTENT_TYPE };
  return { text: JSON.stringify(result ?? null), contentType: JSON_CONTENT_TYPE };
}

/** The error envelope as an h3 response value. */
export function errorResult(error: HttpError): HTTPResponse {
  return new HTTPResponse(JSON.stringify(error.toJSON()), {
    status: error.status,
    headers: error.headers ? { ...JSON_HEADERS, ...error.headers } : JSON_HEADERS,
  });
}

/**
 * The headers of an `unavailable` answer (a database that is away, a server shutting down): ask again
 * in a second, when the store may have reconnected or a load balancer sent the request elsewhere.
 * Clients that honour it (`consume()`, ky's retries of reads) wait that long rather than less.
 */
export const RETRY_SOON: Readonly<Record<string, string>> = { 'retry-after': '1' };

/**
 * Maps anything a handler or the plumbing threw to an {@link HttpError}: an `HttpError` as is,
 * a `FleetError` by its code (keeping its details), an h3 `HTTPError` by its status, and anything
 * else to a generic 500 `internal` whose cause is logged, never sent. An `unavailable` (a database
 * that is away) is logged in one line, at most one every ten seconds ({@link logOutage}), and
 * answered with {@link RETRY_SOON}.
 */
export function toHttpError(error: unknown, logger: ServerLogger, where: string): HttpError {
  if (isHttpError(error)) return error;
  if (isFleetError(error)) {
    const answer = new HttpError(error.code, error.message, {
      ...(error.details === undefined ? {} : { details: error.details }),
      ...(error.code === 'unavailable' ? { headers: RETRY_SOON } : {}),
      cause: error,
    });
    if (error.code === 'unavailable') logOutage(logger, where, error);
    else if (answer.status >= 500) logger.warn(`${where} failed with ${error.code}:`, error);
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
