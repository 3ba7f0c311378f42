import { z } from 'zod';

/** Any JSON value: what a message payload may carry. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Schema for {@link JsonValue}. */
export const JsonValue: z.ZodType<JsonValue> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(JsonValue), z.record(z.string(), JsonValue)]),
);

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
