import { z } from 'zod';
import { isJsonValue } from './internal/is-json-value.ts';

/** Any JSON value: what a message payload may carry. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * Schema for {@link JsonValue}. A single iterative check rather than a recursive union of zod
 * schemas: it accepts and rejects the same values, at a fraction of the cost on large payloads and
 * pages of changes (profiles showed the recursive union as most of a change's validation).
 */
export const JsonValue: z.ZodType<JsonValue> = z
  .custom<JsonValue>(isJsonValue, {
    message: 'must be a JSON value (no undefined, functions, NaN or Infinity)',
  })
  .meta({ description: 'Any JSON value' });

/** The name of an agent: letters, digits, `.`, `_`, `-`, `@`, `:`; at most 128 characters. */
export const AgentName = z
  .string()
  .min(1)
  .max(128)
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._@:-]*$/,
    'must start with a letter or digit and contain only letters, digits, . _ @ : -',
  )
  .describe('Agent name');
export type AgentName = z.infer<typeof AgentName>;

/** A topic name: like an agent name, but `/` may separate segments. */
export const TopicName = z
  .string()
  .min(1)
  .max(256)
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._@:/-]*$/,
    'must start with a letter or digit and contain only letters, digits, . _ @ : / -',
  )
  .describe('Topic name');
export type TopicName = z.infer<typeof TopicName>;

/** An instant on the wire: an ISO 8601 UTC timestamp with milliseconds. */
export const Timestamp = z.iso.datetime({ offset: true }).describe('ISO 8601 timestamp');
export type Timestamp = z.infer<typeof Timestamp>;

/** An opaque pagination cursor, passed back as `?cursor=`. */
export const Cursor = z.string().min(1).max(256).describe('Opaque pagination cursor');

/** A whole number of seconds, or a decimal string of one (query strings carry strings). */
export const intFromQuery = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
