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

/** Bounds and default of {@link intFromQuery}. */
export interface IntFromQueryOptions {
  /** Smallest value accepted. */
  min: number;
  /** Largest value accepted; without one, no upper bound. */
  max?: number;
  /** Value when the parameter is absent; without one the parameter is optional. */
  default?: number;
}

/** What {@link intFromQuery} returns: a number out, a number or its decimal text in. */
export type QueryInt<T extends z.ZodType> = z.ZodPreprocess<T, number | string | undefined>;

const DECIMAL_INTEGER = /^\s*-?\d+\s*$/;

/** Query strings carry strings: a decimal integer becomes a number; anything else stays for the error. */
const integerText = (value: number | string | undefined): unknown =>
  typeof value === 'string' && DECIMAL_INTEGER.test(value) ? Number(value) : value;

const shown = (value: unknown) => (typeof value === 'string' ? JSON.stringify(value) : String(value));

/**
 * A whole-number query parameter (`?limit=50`): a decimal integer string or a number, within
 * bounds. Unlike `z.coerce.number()`, it accepts no `''`, `1e2` or `0x10`, and its errors name the
 * text received: `expected an integer, got "abc"`, `must be at most 500, got 900` (a 400
 * `validation_failed` prefixes the field: `limit: expected an integer, got "abc"`). The JSON Schema
 * stays `{ type: 'integer', minimum, maximum, default }`.
 *
 * @example
 * const PageQuery = z.strictObject({ limit: intFromQuery({ min: 1, max: 500, default: 50 }) });
 * PageQuery.parse({ limit: '20' }); //=> { limit: 20 }
 */
export function intFromQuery(options: IntFromQueryOptions & { default: number }): QueryInt<z.ZodDefault<z.ZodNumber>>;
export function intFromQuery(options: IntFromQueryOptions): QueryInt<z.ZodOptional<z.ZodNumber>>;
export function intFromQuery({
  min,
  max,
  default: fallback,
}: IntFromQueryOptions): QueryInt<z.ZodDefault<z.ZodNumber> | z.ZodOptional<z.ZodNumber>> {
  const notInteger = (issue: { input?: unknown }) => `expected an integer, got ${shown(issue.input)}`;
  let integer = z
    .number({ error: notInteger })
    .int({ error: notInteger })
    .min(min, { error: (issue) => `must be at least ${min}, got ${shown(issue.input)}` });
  if (max !== undefined)
    integer = integer.max(max, { error: (issue) => `must be at most ${max}, got ${shown(issue.input)}` });
  return z.preprocess(integerText, fallback === undefined ? integer.optional() : integer.default(fallback));
}
