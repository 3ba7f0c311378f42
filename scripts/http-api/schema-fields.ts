import { type JsonSchema, type OpenApiDocument, resolveSchema } from './openapi-document.ts';

/** One field of a request or response, nested fields flattened to dotted names. */
export interface FieldRow {
  /** `deliveries[].message.id`; a map's values are under `<key>`. */
  name: string;
  /** `integer`, `string (date-time)`, `array of object`, `string or null`, ... */
  type: string;
  required: boolean;
  /** The default as JSON, when the field has one. */
  default: string | undefined;
  /** Lengths, ranges, patterns, allowed values. */
  limits: string;
  description: string;
}

/** A schema's own shape, without what its fields contain. */
interface Shape {
  type: string;
  limits: string[];
  nullable: boolean;
  description: string | undefined;
}

/** Bounds zod writes for a plain integer (`Number.MAX_SAFE_INTEGER`): no real limit. */
const SAFE_INTEGER = 9007199254740991;
/** Deeper nesting than this is left out (no Fleet schema comes close). */
const MAX_DEPTH = 8;

/**
 * The fields of an object schema (a body, a response), nested objects, array items and map
 * values flattened under dotted names, each with its type, whether it is required, its default,
 * its limits and its description.
 */
export function schemaFields(doc: OpenApiDocument, schema: JsonSchema): FieldRow[] {
  const rows: FieldRow[] = [];
  collect(doc, schema, '', rows, 0);
  return rows;
}

/** One parameter (path or query) as a row; its own description follows its schema's. */
export function parameterRow(
  doc: OpenApiDocument,
  name: string,
  schema: JsonSchema,
  required: boolean,
  description: string | undefined,
): FieldRow {
  const own = shapeOf(doc, schema).description;
  const text = own && description && own !== description ? `${own.replace(/\.?$/, '.')} ${description}` : undefined;
  return row(doc, name, schema, required, text ?? description ?? own);
}

function collect(doc: OpenApiDocument, schema: JsonSchema, prefix: string, rows: FieldRow[], depth: number): void {
  if (depth > MAX_DEPTH) return;
  const object = objectOf(doc, schema);
  if (!object) return;
  if (object.properties) {
    const required = new Set(object.required ?? []);
    for (const [name, property] of Object.entries(object.properties)) {
      const path = prefix + name;
      rows.push(row(doc, path, property, required.has(name), undefined));
      collect(doc, property, childPrefix(doc, property, path), rows, depth + 1);
    }
  } else if (typeof object.additionalProperties === 'object') {
    collect(doc, object.additionalProperties, `${prefix}<key>.`, rows, depth + 1);
  }
}

/** Where the fields inside `schema` go: `path.` for an object, `path[].` for an array of objects. */
function childPrefix(doc: OpenApiDocument, schema: JsonSchema, path: string): string {
  const resolved = nonNull(doc, schema);
  if (resolved.type === 'array' && resolved.items) return `${path}[]${childPrefix(doc, resolved.items, '')}`;
  if (resolved.properties === undefined && typeof resolved.additionalProperties === 'object') {
    return `${path}.<key>.`;
  }
  return `${path}.`;
}

/** The object whose fields are listed under `schema`: itself, its array items, or its map values. */
function objectOf(doc: OpenApiDocument, schema: JsonSchema): JsonSchema | undefined {
  const resolved = nonNull(doc, schema);
  if (resolved.type === 'array' && resolved.items) return objectOf(doc, resolved.items);
  if (resolved.properties) return resolved;
  if (typeof resolved.additionalProperties === 'object' && resolved.additionalProperties.type !== undefined) {
    return { additionalProperties: resolved.additionalProperties };
  }
  return undefined;
}

/** `schema` without a `null` alternative (`X or null` documents as `X`). */
function nonNull(doc: OpenApiDocument, schema: JsonSchema): JsonSchema {
  const resolved = resolveSchema(doc, schema);
  const branches = resolved.anyOf?.filter((branch) => branch.type !== 'null');
  return branches?.length === 1 ? resolveSchema(doc, branches[0]!) : resolved;
}

function row(
  doc: OpenApiDocument,
  name: string,
  schema: JsonSchema,
  required: boolean,
  description: string | undefined,
): FieldRow {
  const shape = shapeOf(doc, schema);
  return {
    name,
    type: shape.nullable ? `${shape.type} or null` : shape.type,
    required,
    default: schema.default === undefined ? undefined : JSON.stringify(schema.default),
    limits: shape.limits.join('; '),
    description: description ?? shape.description ?? '',
  };
}

function shapeOf(doc: OpenApiDocument, schema: JsonSchema): Shape {
  const resolved = resolveSchema(doc, schema);
  const own = schema.description ?? resolved.description;
  if (resolved.anyOf) {
    const branches = resolved.anyOf.filter((branch) => branch.type !== 'null');
    const nullable = branches.length < resolved.anyOf.length;
    const shapes = branches.map((branch) => shapeOf(doc, branch));
    const limits = shapes.map((shape) => shape.limits.join(', ')).filter((text) => text !== '');
    return {
      type: [...new Set(shapes.map((shape) => shape.type))].join(' or '),
      limits: limits.length > 1 ? [limits.join(' or ')] : limits,
      nullable: nullable || shapes.some((shape) => shape.nullable),
      description: own ?? shapes.find((shape) => shape.description)?.description,
    };
  }
  const types = Array.isArray(resolved.type) ? resolved.type : resolved.type === undefined ? [] : [resolved.type];
  const nullable = types.includes('null');
  const type = types.find((candidate) => candidate !== 'null');
  return { type: typeName(doc, resolved, type), limits: limitsOf(doc, resolved, type), nullable, description: own };
}

function typeName(doc: OpenApiDocument, schema: JsonSchema, type: string | undefined): string {
  if (schema.const !== undefined) return `\`${JSON.stringify(schema.const)}\``;
  if (type === undefined) return 'any JSON';
  if (type === 'string' && schema.format) return `string (${schema.format})`;
  if (type === 'array') return schema.items ? `array of ${plural(shapeOf(doc, schema.items))}` : 'array';
  if (type === 'object' && !schema.properties && typeof schema.additionalProperties === 'object') {
    return `object (key → ${plural(shapeOf(doc, schema.additionalProperties))})`;
  }
  return type;
}

function plural(shape: Shape): string {
  const type = shape.nullable ? `${shape.type} or null` : shape.type;
  return type.startsWith('array') || type.startsWith('object of') ? `(${type})` : type;
}

function limitsOf(doc: OpenApiDocument, schema: JsonSchema, type: string | undefined): string[] {
  const limits: string[] = [];
  if (schema.enum) limits.push(`one of ${schema.enum.map((value) => `\`${JSON.stringify(value)}\``).join(', ')}`);
  if (type === 'string') {
    const length =
      schema.minLength === 1 && schema.maxLength === undefined
        ? 'non-empty'
        : range(schema.minLength, schema.maxLength, undefined, undefined);
    if (length) limits.push(length === 'non-empty' ? length : `${length} chars`);
    // A timestamp's pattern only restates its format.
    if (schema.pattern && !schema.format) limits.push(`pattern \`${schema.pattern}\``);
  }
  if (type === 'number' || type === 'integer') {
    const bounds = range(schema.minimum, schema.maximum, schema.exclusiveMinimum, schema.exclusiveMaximum);
    if (bounds) limits.push(bounds);
  }
  if (type === 'array') {
    const count = range(schema.minItems, schema.maxItems, undefined, undefined);
    if (count) limits.push(`${count} items`);
    const items = schema.items ? shapeOf(doc, schema.items) : undefined;
    if (items && items.limits.length > 0 && !objectOf(doc, schema.items!))
      limits.push(`each ${items.limits.join(', ')}`);
  }
  return limits;
}

/** `1 to 100`, `≥ 0`, `> 0, ≤ 43200`; nothing for the safe-integer bounds zod gives every integer. */
function range(
  min: number | undefined,
  max: number | undefined,
  exclusiveMin: number | undefined,
  exclusiveMax: number | undefined,
): string {
  const low =
    exclusiveMin !== undefined
      ? `> ${exclusiveMin}`
      : min !== undefined && min > -SAFE_INTEGER
        ? `≥ ${min}`
        : undefined;
  const high =
    exclusiveMax !== undefined ? `< ${exclusiveMax}` : max !== undefined && max < SAFE_INTEGER ? `≤ ${max}` : undefined;
  if (low?.startsWith('≥') && high?.startsWith('≤')) return `${min} to ${max}`;
  return [low, high].filter((part) => part !== undefined).join(', ');
}
