import { z } from 'zod';
import { JsonValue } from './common.ts';

/** Every error code a Fleet server answers with. */
export const ErrorCode = z.enum([
  'invalid_json',
  'validation_failed',
  'unauthorized',
  'not_found',
  'route_not_found',
  'method_not_allowed',
  'payload_too_large',
  'unsupported_media_type',
  'receipt_unknown',
  'receipt_expired',
  'conflict',
  'resync_required',
  'clock_skew',
  'internal',
  'unavailable',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

/** The error envelope shared by every Fleet server: `{"error": {"code", "message", "details"}}`. */
export const ErrorEnvelope = z.object({
  error: z.object({
    code: ErrorCode.or(z.string()),
    message: z.string(),
    details: JsonValue.optional(),
  }),
});
export type ErrorEnvelope = z.infer<typeof ErrorEnvelope>;

/** One problem found while validating input, as carried in `details.issues`. */
export const ValidationIssue = z.object({
  field: z.string().describe('Dotted path of the offending field, e.g. `messages.3.to`'),
  message: z.string(),
  code: z.string(),
});
export type ValidationIssue = z.infer<typeof ValidationIssue>;
