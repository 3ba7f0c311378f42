import type { z } from 'zod';
import type { ValidationIssue } from '../schemas/error.ts';
import { HttpError } from './http-error.ts';

/** Which part of a request a schema validated; names the field when the failure is the whole part. */
export type RequestPart = 'params' | 'query' | 'body';

/** At most this many issues are sent back; the rest are counted in the message. */
const MAX_ISSUES = 50;

/**
 * Parses `value` with `schema`, or throws a 400 `validation_failed` {@link HttpError} whose
 * details list every issue as `{ field: 'messages.3.to', message, code }` and whose message
 * names the first field (`to: Invalid input`).
 */
export function validateInput<S extends z.ZodType>(schema: S, value: unknown, part: RequestPart): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw validationError(result.error, part);
}

/** The 400 `validation_failed` error for a zod failure on one part of a request. */
export function validationError(error: z.ZodError, part: RequestPart): HttpError {
  const issues: ValidationIssue[] = error.issues.slice(0, MAX_ISSUES).map((issue) => ({
    field: fieldOf(issue, part),
    message: issue.message,
    code: issue.code,
  }));
  const first = issues[0];
  const rest = error.issues.length - 1;
  const message = first
    ? `${first.field}: ${first.message}${rest > 0 ? ` (and ${rest} more issue${rest === 1 ? '' : 's'})` : ''}`
    : `${part}: Invalid input`;
  return new HttpError('validation_failed', message, { details: { issues } });
}

function fieldOf(issue: z.core.$ZodIssue, part: RequestPart): string {
  const path = issue.path.map(String);
  // A strict object reports unknown keys on the object itself; name the first offending key.
  if (issue.code === 'unrecognized_keys' && issue.keys[0] !== undefined) path.push(issue.keys[0]);
  return path.length > 0 ? path.join('.') : part;
}
