import type { JsonValue } from '../schemas/common.ts';
import { ERROR_STATUS, type ErrorCode, type ErrorEnvelope } from '../schemas/error.ts';

/** The HTTP status each error code is answered with: {@link ERROR_STATUS}, the SDK's one table. */
export const errorCodeStatus: Readonly<Record<ErrorCode, number>> = ERROR_STATUS;

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
 * An error a Fleet server answers with: a machine-readable code, the status that code is answered
 * with ({@link errorCodeStatus}), and a message that is safe to show to the caller. Thrown by the
 * plumbing (validation, auth, limits) and by handlers.
 *
 * @example
 * throw new HttpError('conflict', 'subscription already exists', { details: { field: 'topic' } });
 */
export class HttpError extends Error {
  override name = 'HttpError' as const;
  /** HTTP status of the answer: the one its code is answered with. */
  readonly status: number;
  /** Machine-readable code, as in the error envelope. */
  readonly code: ErrorCode;
  /** Structured context sent as `error.details`. */
  readonly details: JsonValue | undefined;
  /** Extra response headers. */
  readonly headers: Readonly<Record<string, string>> | undefined;

  constructor(code: ErrorCode, message: string, options: HttpErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    // A code this copy of the SDK does not know (a FleetError from a newer one) is still a failure.
    this.status = errorCodeStatus[code] ?? 500;
    this.code = code;
    this.details = options.details;
    this.headers = options.headers;
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
