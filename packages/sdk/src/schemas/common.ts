import { z } from 'zod';
import { described } from './fields.ts';
import { isJsonValue, jsonValueProblem } from './internal/is-json-value.ts';

/** Any JSON value: what a message payload may carry. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * How deeply a {@link JsonValue} (a message payload, a fact value, error details) may nest arrays
 * and objects: `[]` is 1 level, `[[]]` 2. Deeper values are refused with 400 `validation_failed`
 * naming the field, so that no server, store or client has to walk (or `JSON.stringify`) a value
 * nested deeply enough to overflow the stack.
 */
export const MAX_JSON_DEPTH = 128;

const NOT_JSON = 'must be a JSON value (no undefined, functions, NaN or Infinity)';
const TOO_DEEP = `must be a JSON value nested at most ${MAX_JSON_DEPTH} levels deep (arrays and objects)`;

/**
 * Schema for {@link JsonValue}, nested at most {@link MAX_JSON_DEPTH} levels. A single check
 * rather than a recursive union of zod schemas: it accepts and rejects the same values, at a
 * fraction of the cost on large payloads and pages of changes (profiles showed the recursive union
 * as most of a change's validation). A failure aborts the field's later refinements, which may
 * serialize the value.
 */
export const JsonValue: z.ZodType<JsonValue> = described(
  z.custom<JsonValue>((value) => isJsonValue(value, MAX_JSON_DEPTH), {
    abort: true,
    error: (issue) => (jsonValueProblem(issue.input, MAX_JSON_DEPTH) === 'too_deep' ? TOO_DEEP : NOT_JSON),
  }),
  'Any JSON value',
);

/** The name of an agent: letters, digits, `.`, `_`, `-`, `@`, `:`; at most 128 characters. */
export const AgentName = described(
  // One .check() rather than .min().max().regex(): each chained call clones (see fields.ts).
  z
    .string()
    .check(
      z.minLength(1),
      z.maxLength(128),
      z.regex(
        /^[A-Za-z0-9][A-Za-z0-9._@:-]*$/,
        'must start with a letter or digit and contain only letters, digits, . _ @ : -',
      ),
    ),
  'Agent name',
);
export type AgentName = z.infer<typeof AgentName>;

/** A topic name: like an agent name, but `/` may separate segments. */
export const TopicName = described(
  z
    .string()
    .check(
      z.minLength(1),
      z.maxLength(256),
      z.regex(
        /^[A-Za-z0-9][A-Za-z0-9._@:/-]*$/,
        'must start with a letter or digit and contain only letters, digits, . _ @ : / -',
      ),
    ),
  'Topic name',
);
export type TopicName = z.infer<typeof TopicName>;

/** An instant on the wire: an ISO 8601 UTC timestamp with milliseconds. */
export const Timestamp = described(z.iso.datetime({ offset: true }), 'ISO 8601 timestamp');
export type Timestamp = z.infer<typeof Timestamp>;

/** An opaque pagination cursor, passed back as `?cursor=`. */
export const Cursor = described(z.string().check(z.minLength(1), z.maxLength(256)), 'Opaque pagination cursor');

/** Bounds and default of {@link intFromQuery}. */
export interface IntFromQueryOptions {
  /** Smallest value accepted. */
  min: number;
  /** Largest value accepted; without one, no upper bound. */
  max?: number;
  /** Value when the parameter is absent; without one the parameter is optional. */
  default?: number;
  /** What the parameter means, for the OpenAPI document (as `.describe()` would set it). */
  description?: string;
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
  description,
}: IntFromQueryOptions): QueryInt<z.ZodDefault<z.ZodNumber> | z.ZodOptional<z.ZodNumber>> {
  const notInteger = (issue: { input?: unknown }) => `expected an integer, got ${shown(issue.input)}`;
  const atLeast = z.gte(min, { error: (issue) => `must be at least ${min}, got ${shown(issue.input)}` });
  // z.int() (its type and integer errors both `notInteger`) and one .check(): the same checks in the
  // same order as z.number().int().min().max(), at a third of the cost (see fields.ts).
  const integer =
    max === undefined
      ? z.int({ error: notInteger }).check(atLeast)
      : z
          .int({ error: notInteger })
          .check(atLeast, z.lte(max, { error: (issue) => `must be at most ${max}, got ${shown(issue.input)}` }));
  const query = z.preprocess(integerText, fallback === undefined ? integer.optional() : integer.default(fallback));
  return description === undefined ? query : described(query, description);
}
