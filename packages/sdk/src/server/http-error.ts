import type { JsonValue } from '../schemas/common.ts';
import type { ErrorCode, ErrorEnvelope } from '../schemas/error.ts';

/** The HTTP status each error code is answered with. */
export const errorCodeStatus: Readonly<Record<ErrorCode, number>> = {
  invalid_json: 400,
  validation_failed: 400,
  unauthorized: 401,
  not_found: 404,
  route_not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  resync_required: 410,
  clock_skew: 422,
  receipt_expired: 410,
  payload_too_large: 413,
  unsupported_media_type: 415,
  receipt_unknown: 404,
  internal: 500,
  unavailable: 503,
};

/** Options of {@link HttpError}. */
export interface HttpErrorOptions {
  /** Structured context sent as `error.details`, e.g. `{ issues: [...] }`. */
  details?: JsonValue;
  /** Extra response headers, e.g. `{ 'www-authenticate': 'Bearer' }`. */
  headers?: Record<string, string>;
  /** The error that caused this one; logged, never sent. */
  cause?: unknown;
}

/**
 * An error a Fleet server answers with: a status, a machine-readable code and a message that is
 * safe to show to the caller. Thrown by the plumbing (validation, auth, limits) and by handlers.
 *
 * @example
 * throw new HttpError(409, 'conflict', 'subscription already exists', { details: { field: 'topic' } });
 */
export class HttpError extends Error {
  override name = 'HttpError' as const;
  /** HTTP status of the answer. */
  readonly status: number;
  /** Machine-readable code, as in the error envelope. */
  readonly code: ErrorCode;
  /** Structured context sent as `error.details`. */
  readonly details: JsonValue | undefined;
  /** Extra response headers. */
  readonly headers: Readonly<Record<string, string>> | undefined;

  constructor(status: number, code: ErrorCode, message: string, options: HttpErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.status = status;
    this.code = code;
    this.details = options.details;
    this.headers = options.headers;
  }

  /** An error with the status {@link errorCodeStatus} maps `code` to. */
  static of(code: ErrorCode, message: string, options: HttpErrorOptions = {}): HttpError {
    return new HttpError(errorCodeStatus[code], code, message, options);
  }

  /** The error envelope: `{"error": {"code", "message", "details"?}}`. Never carries the cause or stack. */
  toJSON(): ErrorEnvelope {
    return this.details === undefined
      ? { error: { code: this.code, message: this.message } }
      : { error: { code: this.code, message: this.message, details: this.details } };
  }
}

/** True for an {@link HttpError}, also one from another copy of the SDK. */
export function isHttpError(error: unknown): error is HttpError {
  return (
    error instanceof HttpError ||
    (error instanceof Error &&
      error.name === 'HttpError' &&
      typeof (error as { status?: unknown }).status === 'number' &&
      typeof (error as { code?: unknown }).code === 'string')
  );
}
