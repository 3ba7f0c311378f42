import type { z } from 'zod';
import { FleetError } from '../errors.ts';
import type { JsonValue } from '../schemas/common.ts';
import type { ErrorCode } from '../schemas/error.ts';

/**
 * A Fleet server answered with an error status. `code`, `message` and `details` come from the
 * server's error envelope (`{"error": {"code", "message", "details"}}`); when the answer carried no
 * envelope (a proxy's 502 page, say) `code` is derived from the status.
 *
 * @example
 * ```ts
 * try {
 *   await bus.ack(receipt);
 * } catch (error) {
 *   if (isFleetHttpError(error) && error.code === 'receipt_expired') {
 *     // the lease ran out: the message will be redelivered
 *   }
 * }
 * ```
 */
export class FleetHttpError extends FleetError {
  override name = 'FleetHttpError' as const;
  /** The HTTP status of the answer. */
  readonly status: number;
  /** Method and URL of the request that failed, e.g. `POST http://127.0.0.1:8650/ack`. */
  readonly request: string;
  /**
   * Whether the answer was a Fleet error envelope, so `code`, `message` and `details` are the
   * server's own. False for any other answer (a proxy's page, a service that is not Fleet's): the
   * message then quotes its status and the start of its body, text of whatever answered.
   */
  readonly fromEnvelope: boolean;
  /**
   * The code the server's envelope named when this SDK does not know it (a newer server's, say):
   * `code` is then the one the status stands for. Undefined when `code` is the server's own.
   */
  readonly serverCode: string | undefined;
  /**
   * How long the server asked to be left alone before the next call, in milliseconds (`Retry-After`
   * in seconds or as a date, or a rate-limit reset header), on a 413, 429 or 503; never below 0.
   * Undefined when the answer did not say. `consume()` waits at least this long before its next receive.
   */
  readonly retryAfterMs: number | undefined;

  constructor(
    status: number,
    code: ErrorCode,
    message: string,
    options: {
      details?: JsonValue;
      request?: string;
      cause?: unknown;
      fromEnvelope?: boolean;
      serverCode?: string;
      retryAfterMs?: number;
    } = {},
  ) {
    super(code, message, {
      ...(options.details !== undefined ? { details: options.details } : {}),
      cause: options.cause,
    });
    this.status = status;
    this.request = options.request ?? '';
    this.fromEnvelope = options.fromEnvelope ?? true;
    this.serverCode = options.serverCode;
    this.retryAfterMs = options.retryAfterMs === undefined ? undefined : Math.max(0, options.retryAfterMs);
  }
}

/**
 * The request never got a usable answer: the server is unreachable (connection refused, unknown
 * host, connection reset), did not answer within the timeout, or answered with a body larger than
 * the client's `maxResponseBytes` (not read further). Its `code` is `unavailable`.
 */
export class FleetConnectionError extends FleetError {
  override name = 'FleetConnectionError' as const;
  /** The base URL of the server that could not be reached. */
  readonly url: string;
  /** Why, in a few words: `connection refused`, `no answer within 30000 ms`, ... */
  readonly reason: string;

  constructor(url: string, reason: string, options: { cause?: unknown } = {}) {
    super('unavailable', `cannot reach ${url} (${reason})`, { cause: options.cause });
    this.url = url;
    this.reason = reason;
  }
}

/**
 * A server answered successfully, but with a body that does not match the route's response schema
 * (or is not JSON). Deliberately not a {@link FleetHttpError}: the server did not report a failure,
 * the contract between client and server is broken (usually mismatched versions).
 */
export class ResponseValidationError extends Error {
  override name = 'ResponseValidationError' as const;
  /** Method and URL of the request, e.g. `GET http://127.0.0.1:8650/queue`. */
  readonly request: string;
  /** The HTTP status of the answer. */
  readonly status: number;
  /** What the schema found wrong; empty when the body was not JSON at all. */
  readonly issues: z.core.$ZodIssue[];
  /** The problem in a few words, as the message ends with it. */
  readonly problem: string;

  constructor(request: string, status: number, problem: string, issues: z.core.$ZodIssue[] = [], cause?: unknown) {
    super(`${request} answered with a body that does not match the contract: ${problem}`, { cause });
    this.request = request;
    this.status = status;
    this.issues = issues;
    this.problem = problem;
  }
}

function hasName(error: unknown, name: string): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === name;
}

/** True for a {@link FleetHttpError}, also one from another copy of the SDK. */
export function isFleetHttpError(error: unknown): error is FleetHttpError {
  return error instanceof FleetHttpError || hasName(error, 'FleetHttpError');
}

/** True for a {@link FleetConnectionError}, also one from another copy of the SDK. */
export function isFleetConnectionError(error: unknown): error is FleetConnectionError {
  return error instanceof FleetConnectionError || hasName(error, 'FleetConnectionError');
}

/** True for a {@link ResponseValidationError}, also one from another copy of the SDK. */
export function isResponseValidationError(error: unknown): error is ResponseValidationError {
  return error instanceof ResponseValidationError || hasName(error, 'ResponseValidationError');
}
