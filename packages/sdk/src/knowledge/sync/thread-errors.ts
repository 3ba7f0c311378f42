import type { z } from 'zod';
import { FleetConnectionError, FleetHttpError, ResponseValidationError } from '../../client/errors.ts';
import { FleetError, isFleetError } from '../../errors.ts';
import type { JsonValue } from '../../schemas/common.ts';
import type { ErrorCode } from '../../schemas/error.ts';

/**
 * An error of a pull made in a worker thread, as plain data (`postMessage` keeps neither the
 * classes nor their fields), rebuilt as the same error class on the other side.
 */
export type ThreadError =
  | {
      kind: 'http';
      status: number;
      code: ErrorCode;
      message: string;
      details?: JsonValue;
      request: string;
      fromEnvelope: boolean;
    }
  | { kind: 'connection'; url: string; reason: string }
  | { kind: 'contract'; request: string; status: number; problem: string; issues: z.core.$ZodIssue[] }
  | { kind: 'fleet'; code: ErrorCode; message: string; details?: JsonValue }
  | { kind: 'other'; message: string };

const withDetails = (details: JsonValue | undefined) => (details === undefined ? {} : { details });

/** Turns an error into {@link ThreadError} data. */
export function toThreadError(error: unknown): ThreadError {
  if (error instanceof FleetHttpError) {
    const { status, code, message, details, request, fromEnvelope } = error;
    return { kind: 'http', status, code, message, request, fromEnvelope, ...withDetails(details) };
  }
  if (error instanceof ResponseValidationError) {
    const { request, status, problem, issues } = error;
    return { kind: 'contract', request, status, problem, issues };
  }
  if (error instanceof FleetConnectionError) return { kind: 'connection', url: error.url, reason: error.reason };
  if (isFleetError(error))
    return { kind: 'fleet', code: error.code, message: error.message, ...withDetails(error.details) };
  if (error instanceof Error) return { kind: 'other', message: `${error.name}: ${error.message}` };
  return { kind: 'other', message: String(error) };
}

/** How each kind of {@link ThreadError} is rebuilt: a kind added without its class fails to compile. */
const rebuild: { [K in ThreadError['kind']]: (error: Extract<ThreadError, { kind: K }>, cause: unknown) => Error } = {
  http: (error, cause) =>
    new FleetHttpError(error.status, error.code, error.message, {
      request: error.request,
      fromEnvelope: error.fromEnvelope,
      ...withDetails(error.details),
      cause,
    }),
  connection: (error, cause) => new FleetConnectionError(error.url, error.reason, { cause }),
  contract: (error, cause) =>
    new ResponseValidationError(error.request, error.status, error.problem, error.issues, cause),
  fleet: (error, cause) => new FleetError(error.code, error.message, { ...withDetails(error.details), cause }),
  other: (error) => new Error(`pulling a page in the worker thread failed: ${error.message}`),
};

/**
 * The error {@link toThreadError} described, as its own class again; `cause` when it is rebuilt in
 * the thread it happened in.
 */
export function fromThreadError(error: ThreadError, cause?: unknown): Error {
  return (rebuild[error.kind] as (error: ThreadError, cause: unknown) => Error)(error, cause);
}
