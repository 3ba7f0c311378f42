import { defaultServerUrl } from '@fleet/sdk';
import { type JsonSchema, type OpenApiDocument, resolveSchema } from './openapi-document.ts';

/** What a timestamp field gets. */
const EXAMPLE_TIME = '2025-01-31T12:00:00.000Z';

/**
 * A value that passes `schema`, for a field named `name`: the schema's own example if it has one,
 * else built from the schema. An object gets its required fields only, an array as few items as it
 * must hold, a number its lower bound, a string the field's name when that fits the pattern and
 * lengths. Refinements JSON Schema cannot express (e.g. "exactly one of `to` or `topic`") are not
 * known here: a route with one gives an `example` in its contract.
 */
export function exampleValue(doc: OpenApiDocument, schema: JsonSchema, name: string): unknown {
  const resolved = resolveSchema(doc, schema);
  if (resolved.examples?.length) return resolved.examples[0];
  if (resolved.const !== undefined) return resolved.const;
  if (resolved.enum?.length) return resolved.enum[0];
  if (resolved.anyOf) {
    const branch = resolved.anyOf.find((candidate) => candidate.type !== 'null') ?? resolved.anyOf[0]!;
    return exampleValue(doc, branch, name);
  }
  const type = Array.isArray(resolved.type) ? resolved.type.find((candidate) => candidate !== 'null') : resolved.type;
  switch (type) {
    case 'object':
      return objectExample(doc, resolved);
    case 'array': {
      const count = resolved.minItems ?? 0;
      return Array.from({ length: count }, () => exampleValue(doc, resolved.items ?? {}, name));
    }
    case 'string':
      return stringExample(resolved, name);
    case 'integer':
    case 'number':
      return numberExample(resolved);
    case 'boolean':
      return false;
    case 'null':
      return null;
    default:
      return {};
  }
}

function objectExample(doc: OpenApiDocument, schema: JsonSchema): Record<string, unknown> {
  const value: Record<string, unknown> = {};
  for (const name of schema.required ?? []) {
    const property = schema.properties?.[name];
    if (property) value[name] = exampleValue(doc, property, name);
  }
  return value;
}

function stringExample(schema: JsonSchema, name: string): string {
  if (schema.format === 'date-time') return EXAMPLE_TIME;
  if (schema.format === 'uri') return defaultServerUrl('knowledge');
  const pattern = schema.pattern === undefined ? undefined : new RegExp(schema.pattern);
  const fits = (text: string) =>
    text.length >= (schema.minLength ?? 0) &&
    text.length <= (schema.maxLength ?? Number.POSITIVE_INFINITY) &&
    (pattern === undefined || pattern.test(text));
  const found = [name, 'example', 'a', '0'].find(fits);
  if (found === undefined)
    throw new Error(`no example string fits ${JSON.stringify(schema)}; give the route an example`);
  return found;
}

function numberExample(schema: JsonSchema): number {
  if (typeof schema.default === 'number') return schema.default;
  if (schema.exclusiveMinimum !== undefined) return schema.exclusiveMinimum + 1;
  return schema.minimum ?? 1;
}
