import { type JsonSchema, type OpenApiDocument, resolveSchema } from '../../scripts/http-api/openapi-document.ts';

/** The seeded helpers of `@fleet/test-utils/mulberry32`'s `randomTools`. */
export interface RandomTools {
  random: () => number;
  int(n: number): number;
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
}

/** What a field named like this is given instead of a random value: values the servers act on. */
export type FieldOverrides = Readonly<Record<string, () => unknown>>;

const TIMES = [
  '2025-01-31T12:00:00.000Z',
  '2024-02-29T23:59:59.999Z',
  '2030-06-01T00:00:00Z',
  '2025-01-31T12:00:00+14:00',
  '1970-01-01T00:00:00Z',
  '0001-01-01T00:00:00Z',
  '9999-12-31T23:59:59.999Z',
];
const WORDS = ['coder', 'planner', 'a', 'hosts/ezra', 'x-1', 'Z9', 'scout', 'bus'];

/**
 * A random value that passes `schema` as far as JSON Schema says (refinements it cannot express,
 * like "exactly one of `to` or `topic`", are not known here): the schema's own examples, enums and
 * consts, objects with their required fields and some optional ones, arrays within their bounds,
 * numbers within theirs, strings that fit their pattern and lengths where a candidate does. An
 * untyped schema (`JsonValue`) gets a small random JSON value.
 */
export function randomValue(
  doc: OpenApiDocument,
  schema: JsonSchema,
  tools: RandomTools,
  name: string,
  overrides: FieldOverrides = {},
): unknown {
  const override = overrides[name];
  if (override) return override();
  const resolved = resolveSchema(doc, schema);
  if (resolved.examples?.length && tools.chance(0.5)) return tools.pick(resolved.examples);
  if (resolved.const !== undefined) return resolved.const;
  if (resolved.enum?.length) return tools.pick(resolved.enum);
  if (resolved.anyOf?.length) return randomValue(doc, tools.pick(resolved.anyOf), tools, name, overrides);
  const types = Array.isArray(resolved.type) ? resolved.type : resolved.type === undefined ? [] : [resolved.type];
  const type = types.length > 0 ? tools.pick(types) : undefined;
  switch (type) {
    case 'object':
      return randomObject(doc, resolved, tools, overrides);
    case 'array': {
      const min = resolved.minItems ?? 0;
      const max = Math.min(resolved.maxItems ?? min + 3, min + 3);
      const count = min + tools.int(max - min + 1);
      return Array.from({ length: count }, () => randomValue(doc, resolved.items ?? {}, tools, name, overrides));
    }
    case 'string':
      return randomString(resolved, tools, name);
    case 'integer':
    case 'number':
      return randomNumber(resolved, tools, type === 'integer');
    case 'boolean':
      return tools.chance(0.5);
    case 'null':
      return null;
    default:
      return randomJson(tools, 3);
  }
}

function randomObject(
  doc: OpenApiDocument,
  schema: JsonSchema,
  tools: RandomTools,
  overrides: FieldOverrides,
): Record<string, unknown> {
  const value: Record<string, unknown> = {};
  const required = new Set(schema.required ?? []);
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    if (required.has(name) || tools.chance(0.5)) value[name] = randomValue(doc, property, tools, name, overrides);
  }
  return value;
}

function randomString(schema: JsonSchema, tools: RandomTools, name: string): string {
  if (schema.format === 'date-time') return tools.pick(TIMES);
  const pattern = schema.pattern === undefined ? undefined : new RegExp(schema.pattern);
  const min = schema.minLength ?? 0;
  const max = schema.maxLength ?? Number.POSITIVE_INFINITY;
  const fits = (text: string) =>
    text.length >= min && text.length <= max && (pattern === undefined || pattern.test(text));
  const candidates = [name, ...WORDS, 'example', 'a'.repeat(Math.max(min, 1)), '0', 'ünïcødé ✓', ''].filter(fits);
  if (candidates.length === 0) return name;
  // Unconstrained strings also get text that is hard to store: quotes, escapes, a lone surrogate.
  if (pattern === undefined && schema.format === undefined && tools.chance(0.2)) {
    const hard = tools.pick(['"\\\'<>&', '\u0000\u001f', '\ud800', 'x'.repeat(Math.min(max, 4096))]);
    if (fits(hard)) return hard;
  }
  return tools.pick(candidates);
}

function randomNumber(schema: JsonSchema, tools: RandomTools, integer: boolean): number {
  const low = schema.minimum ?? (schema.exclusiveMinimum === undefined ? -1000 : schema.exclusiveMinimum + 1);
  const high = Math.min(
    schema.maximum ?? (schema.exclusiveMaximum === undefined ? low + 1000 : schema.exclusiveMaximum - 1),
    low + 1_000_000,
  );
  // Without an upper bound, also the largest integer a double holds exactly.
  const top = schema.maximum === undefined && schema.exclusiveMaximum === undefined ? [Number.MAX_SAFE_INTEGER] : [];
  const pick = tools.pick([low, high, low + tools.random() * (high - low), ...top]);
  return integer ? Math.round(pick) : pick;
}

/** A random JSON value nested at most `depth` levels. */
export function randomJson(tools: RandomTools, depth: number): unknown {
  const kind = tools.int(depth > 0 ? 7 : 5);
  switch (kind) {
    case 0:
      return null;
    case 1:
      return tools.chance(0.5);
    case 2:
      return tools.pick([0, -1, 1.5, 2 ** 53, -1e300]);
    case 3:
      return tools.pick(WORDS);
    case 4:
      // Text a store may not hold as it is: NUL (PostgreSQL text and jsonb), a lone surrogate.
      return tools.pick(['', '\u0000', 'a\u0000b', '\ud800', '"\\\'<>&', 'ünïcødé ✓']);
    case 5:
      return Array.from({ length: tools.int(4) }, () => randomJson(tools, depth - 1));
    default:
      return Object.fromEntries(
        Array.from(
          { length: tools.int(4) },
          (_, i) => [tools.pick([`k${i}`, `\u0000${i}`, `__proto__`]), randomJson(tools, depth - 1)] as const,
        ),
      );
  }
}
