import type { JsonValue } from './schemas/common.ts';
import type { ErrorCode } from './schemas/error.ts';

/**
 * Base of every error Fleet's own code raises on purpose (a store refusing an operation, a server
 * answering with an error envelope). `code` is one of the envelope's codes, so a server can map it
 * to a status and a client can branch on it.
 */
export class FleetError extends Error {
  // Widened so subclasses (FleetHttpError, FleetConnectionError) can narrow it to their own literal.
  override name: `Fleet${string}Error` = 'FleetError';
  /** Machine-readable code, as in the error envelope. */
  readonly code: ErrorCode;
  /** Structured context, e.g. `{ field: 'receipt' }`. */
  readonly details: JsonValue | undefined;

  constructor(code: ErrorCode, message: string, options: { details?: JsonValue; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    this.details = options.details;
  }
}

/** True for a {@link FleetError}, also one from another copy of the SDK. */
export function isFleetError(error: unknown): error is FleetError {
  return (
    error instanceof FleetError ||
    (typeof error === 'object' &&
      error !== null &&
      typeof (error as { code?: unknown }).code === 'string' &&
      /^Fleet[A-Za-z]*Error$/.test(String((error as { name?: unknown }).name)))
  );
}
