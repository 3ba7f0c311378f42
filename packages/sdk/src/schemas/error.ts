import { z } from 'zod';
import { JsonValue } from './common.ts';
import { described } from './fields.ts';
import { lazyShape } from './lazy-shape.ts';

/**
 * Every error code a Fleet server answers with, and the HTTP status it answers it with: the one
 * table the server (`HttpError`, OpenAPI), the client and the worker-thread bridge read. A code
 * added here is in {@link ErrorCode} at once, with its status. Frozen: nothing may change it.
 */
export const ERROR_STATUS = Object.freeze({
  invalid_json: 400,
  validation_failed: 400,
  unauthorized: 401,
  cross_site_request: 403,
  host_not_allowed: 403,
  not_found: 404,
  route_not_found: 404,
  receipt_unknown: 404,
  method_not_allowed: 405,
  request_timeout: 408,
  conflict: 409,
  receipt_expired: 410,
  resync_required: 410,
  payload_too_large: 413,
  unsupported_media_type: 415,
  clock_skew: 422,
  headers_too_large: 431,
  internal: 500,
  unavailable: 503,
} as const satisfies Record<string, number>);

type ErrorCodeName = keyof typeof ERROR_STATUS;

/** Every error code a Fleet server answers with (the keys of {@link ERROR_STATUS}). */
export const ErrorCode = z.enum(Object.keys(ERROR_STATUS) as [ErrorCodeName, ...ErrorCodeName[]]);
export type ErrorCode = z.infer<typeof ErrorCode>;

/**
 * The code an error answer's status stands for when the answer carries no known code: an answer
 * from a proxy or another server, or an error of the HTTP layer itself. A 404 without a Fleet
 * envelope means the path led nowhere (`route_not_found`): a Fleet route that finds no record says
 * `not_found` in its envelope. A 410 without one is not taken for `resync_required`, which would start
 * a resync.
 */
const STATUS_CODE: Readonly<Partial<Record<number, ErrorCode>>> = {
  400: 'validation_failed',
  401: 'unauthorized',
  403: 'unauthorized',
  404: 'route_not_found',
  405: 'method_not_allowed',
  408: 'unavailable',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'unavailable',
  502: 'unavailable',
  503: 'unavailable',
  504: 'unavailable',
};

/** The {@link ErrorCode} an HTTP error status stands for: `validation_failed` for another 4xx, `internal` for another 5xx. */
export function errorCodeOf(status: number): ErrorCode {
  return STATUS_CODE[status] ?? (status < 500 ? 'validation_failed' : 'internal');
}

/** The error envelope shared by every Fleet server: `{"error": {"code", "message", "details"}}`. */
export const ErrorEnvelope = z.object(
  lazyShape(() => ({
    error: z.object({
      code: ErrorCode.or(z.string()),
      message: z.string(),
      details: JsonValue.optional(),
    }),
  })),
);
export type ErrorEnvelope = z.infer<typeof ErrorEnvelope>;

/** One problem found while validating input, as carried in `details.issues`. */
export const ValidationIssue = z.object(
  lazyShape(() => ({
    field: described(z.string(), 'Dotted path of the offending field, e.g. `messages.3.to`'),
    message: z.string(),
    code: z.string(),
  })),
);
export type ValidationIssue = z.infer<typeof ValidationIssue>;
