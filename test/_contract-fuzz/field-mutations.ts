import { type JsonSchema, resolveSchema } from '../../scripts/http-api/openapi-document.ts';
import type { RandomTools } from './random-value.ts';
import type { OperationUnderTest } from './request-parts.ts';

/** Nested far deeper than any limit, far below the body limit (40 KB of arrays). */
export const DEEP_LEVELS = 20_000;

/** `levels` arrays, one inside the other. */
export const deepArrays = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;
const deepObjects = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;

/** Nested fields mutated per operation, besides every top-level one and every field of any JSON. */
const NESTED_FIELDS = 6;

/** A body with one field broken, and the field a `validation_failed` answer must name. */
export interface FieldMutation {
  label: string;
  body: string;
  field: string;
}

/** Every JSON type a value of `schema` may have; empty when it may have any (an untyped schema). */
export function allowedTypes(op: OperationUnderTest, schema: JsonSchema): Set<string> {
  const resolved = resolveSchema(op.doc, schema);
  if (resolved.anyOf) {
    const types = resolved.anyOf.map((branch) => allowedTypes(op, branch));
    return types.some((set) => set.size === 0) ? new Set() : new Set(types.flatMap((set) => [...set]));
  }
  if (resolved.const !== undefined || resolved.enum) return new Set(['string', 'number', 'integer', 'boolean', 'null']);
  const types = Array.isArray(resolved.type) ? resolved.type : resolved.type === undefined ? [] : [resolved.type];
  return new Set(types.includes('integer') ? [...types, 'number'] : types);
}

/** A value of a JSON type `schema` does not allow, or undefined when it allows every type. */
function wrongValue(op: OperationUnderTest, schema: JsonSchema, tools: RandomTools): unknown {
  const allowed = allowedTypes(op, schema);
  if (allowed.size === 0) return undefined;
  const candidates: Array<[string, unknown]> = [
    ['string', 'not-what-was-asked'],
    ['number', 12.5],
    ['boolean', true],
    ['object', { unexpected: 1 }],
    ['array', [1, 'two']],
    ['null', null],
  ];
  const wrong = candidates.filter(([type]) => !allowed.has(type));
  return wrong.length === 0 ? undefined : tools.pick(wrong)[1];
}

/** One field of a body (present or not), where it sits and what its object says of it. */
interface FieldAt {
  path: Array<string | number>;
  schema: JsonSchema;
  required: boolean;
  present: boolean;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The fields of `value` as `schema` describes them: an object's properties, an array's first item, recursively. */
function fieldsOf(op: OperationUnderTest, schema: JsonSchema, value: unknown, path: FieldAt['path'], out: FieldAt[]) {
  const resolved = resolveSchema(op.doc, schema);
  if (resolved.type === 'object' && isObject(value)) {
    const required = new Set(resolved.required ?? []);
    for (const [name, property] of Object.entries(resolved.properties ?? {})) {
      const present = name in value;
      out.push({ path: [...path, name], schema: property, required: required.has(name), present });
      if (present) fieldsOf(op, property, value[name], [...path, name], out);
    }
  } else if (resolved.type === 'array' && Array.isArray(value) && value.length > 0 && resolved.items) {
    out.push({ path: [...path, 0], schema: resolved.items, required: true, present: true });
    fieldsOf(op, resolved.items, value[0], [...path, 0], out);
  }
}

const MARK = '\u0001mark';

/** `body` with the field at `path` set to `text` (raw JSON) or, for `undefined`, removed. */
function withField(body: unknown, path: FieldAt['path'], text: string | undefined): string {
  const copy = structuredClone(body) as Record<string | number, unknown>;
  let parent: Record<string | number, unknown> = copy;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (text === undefined) {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete parent[last];
    return JSON.stringify(copy);
  }
  parent[last] = MARK;
  return JSON.stringify(copy).replace(JSON.stringify(MARK), text);
}

/** The mutations of one field: missing, of the wrong type, out of range, nested far too deep, with an unknown key. */
function mutationsOf(op: OperationUnderTest, body: unknown, field: FieldAt, tools: RandomTools): FieldMutation[] {
  const name = field.path.join('.');
  const mutations: FieldMutation[] = [];
  const add = (label: string, text: string | undefined, named = name) =>
    mutations.push({ label: `${name} ${label}`, body: withField(body, field.path, text), field: named });
  if (field.required && field.present && typeof field.path[field.path.length - 1] === 'string')
    add('missing', undefined);
  const wrong = wrongValue(op, field.schema, tools);
  if (wrong !== undefined) add(`of the wrong type`, JSON.stringify(wrong));
  const types = allowedTypes(op, field.schema);
  if (types.has('number')) add('out of the double range', '1e309');
  if (types.has('integer') && !types.has('string')) {
    for (const number of ['1.5', '18446744073709551616', '-9007199254740993']) add(`= ${number}`, number);
  }
  add(`${DEEP_LEVELS} arrays deep`, deepArrays(DEEP_LEVELS));
  add(`${DEEP_LEVELS} objects deep`, deepObjects(DEEP_LEVELS));
  const resolved = resolveSchema(op.doc, field.schema);
  if (resolved.additionalProperties === false && field.present) {
    let value: unknown = body;
    for (const key of field.path) value = (value as Record<string | number, unknown>)[key];
    if (isObject(value))
      add('with an unknown key', JSON.stringify({ ...value, unexpectedField: 1 }), `${name}.unexpectedField`);
  }
  return mutations;
}

/**
 * Broken variants of a valid JSON `body`, one field at a time: every top-level field, every field
 * of any JSON and a few other nested ones (array items, objects in objects), each missing (if required), of a wrong type, out of
 * range, nested 20,000 levels deep, or with an unknown key in a strict object. Every one must be
 * refused as `validation_failed` naming that field.
 */
export function fieldMutations(
  op: OperationUnderTest,
  schema: JsonSchema,
  body: unknown,
  tools: RandomTools,
): FieldMutation[] {
  const fields: FieldAt[] = [];
  fieldsOf(op, schema, body, [], fields);
  // Every top-level field and every field of any JSON (a payload, a fact value), a few others.
  const always = fields.filter((field) => field.path.length === 1 || allowedTypes(op, field.schema).size === 0);
  const others = fields.filter((field) => !always.includes(field));
  const picked = Array.from({ length: Math.min(NESTED_FIELDS, others.length) }, () => tools.pick(others));
  const mutations = [...new Set([...always, ...picked])].flatMap((field) => mutationsOf(op, body, field, tools));
  const resolved = resolveSchema(op.doc, schema);
  if (resolved.additionalProperties === false && isObject(body))
    mutations.push({
      label: 'unknown field',
      body: JSON.stringify({ ...body, unexpectedField: 1 }),
      field: 'unexpectedField',
    });
  return mutations;
}
