import { z } from 'zod';
import type { RouteContract } from '../contract/route.ts';
import { ErrorEnvelope } from '../schemas/error.ts';
import {
  bodyOf,
  notModifiedResponse,
  redirectResponse,
  requestBody,
  successResponse,
} from './internal/openapi-bodies.ts';
import { ERROR_CONTENT, errorCatalog, errorResponses } from './internal/openapi-errors.ts';
import { SCHEMAS } from './internal/openapi-refs.ts';

/** Options of {@link createOpenApiDocument}. */
export interface OpenApiOptions {
  /** `info.title`, e.g. `fleet-bus`. */
  title: string;
  /** `info.version`. */
  version: string;
  /** `info.description`. */
  description?: string;
  /** Every route the server serves. */
  routes: readonly RouteContract[];
  /**
   * Whether the server checks the `Host` of requests to its protected routes when it has no tokens
   * (`403 host_not_allowed`); false for one that allows every name (`allowedHosts: ['*']`).
   * @default true
   */
  hostGuard?: boolean;
}

type JsonObject = Record<string, unknown>;

const ERROR_RESPONSE = { $ref: '#/components/responses/Error' };

/**
 * Generates the OpenAPI 3.1 document of a set of route contracts from their zod schemas
 * (`z.toJSONSchema`, requests as input types, responses as output types): path parameters as
 * `{id}`, the query schema as parameters, the request headers a route reads (`in: header`), the
 * JSON request body, the success response, a redirect and a `304` with their headers, the shared
 * `ErrorEnvelope` for 4xx/5xx answers and the bearer scheme on routes that need a token
 * (`x-fleet-auth` says how a route without one authenticates, and `x-fleet-hmac-sha256-prefix`
 * marks a header signing the body).
 * Each 4xx status a route may answer with is a response of its own, its codes listed in
 * `x-fleet-error-codes`; `components.responses.Error` lists every code with its status and meaning
 * (`x-fleet-errors`).
 * A contract's `example` becomes the body's and the parameters' `example`.
 */
export function createOpenApiDocument(options: OpenApiOptions): JsonObject {
  const schemas: JsonObject = {};
  const requests = new SchemaSet('input');
  const responses = new SchemaSet('output');
  responses.name(ErrorEnvelope, 'ErrorEnvelope');

  const operations = options.routes.map((route) => {
    const id = operationId(route);
    const base = id[0]!.toUpperCase() + id.slice(1);
    const kind = route.kind ?? 'json';
    const body = bodyOf(route);
    return {
      route,
      id,
      base,
      kind,
      body: body ? requests.name(body, `${base}Body`) : undefined,
      response: kind === 'text' ? undefined : responses.name(route.response, `${base}Response`),
    };
  });
  Object.assign(schemas, requests.generate(), responses.generate());

  const paths: Record<string, JsonObject> = {};
  for (const { route, id, base, kind, body, response } of operations) {
    const needsAuth = route.auth !== false;
    const parameters = [
      ...pathParameters(route, schemas, `${base}Params`),
      ...queryParameters(route, schemas, `${base}Query`),
      ...headerParameters(route),
    ];
    const operation: JsonObject = {
      operationId: id,
      summary: route.summary,
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(body ? { requestBody: requestBody(route, body) } : {}),
      responses: {
        [String(route.status ?? 200)]: successResponse(route, kind, response),
        ...(route.redirect ? { [String(route.redirect.status)]: redirectResponse(route.redirect) } : {}),
        ...(route.notModified ? { '304': notModifiedResponse(route.notModified) } : {}),
        ...errorResponses(route, options.hostGuard ?? true),
        '4XX': ERROR_RESPONSE,
        '5XX': ERROR_RESPONSE,
      },
      ...(needsAuth ? { security: [{ bearerAuth: [] }] } : {}),
      ...(route.authentication === undefined ? {} : { 'x-fleet-auth': route.authentication }),
    };
    const path = route.path.replace(/(?:\*\*)?:(\w+)/g, '{$1}');
    paths[path] ??= {};
    paths[path][route.method.toLowerCase()] = operation;
  }

  return {
    openapi: '3.1.0',
    info: {
      title: options.title,
      version: options.version,
      ...(options.description === undefined ? {} : { description: options.description }),
    },
    paths,
    components: {
      schemas,
      responses: {
        Error: {
          description: 'Error envelope',
          content: ERROR_CONTENT,
          'x-fleet-errors': errorCatalog(),
        },
      },
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } },
    },
  };
}

/** `GET /deadletter/:id` -> `getDeadletterById`. */
function operationId(route: RouteContract): string {
  const words = route.path
    .split(/[/.\-_]/)
    .filter(Boolean)
    .map((segment) => segment.replace(/^\*\*(?=:)/, ''))
    .map((segment) => (segment.startsWith(':') ? `By${capitalize(segment.slice(1))}` : capitalize(segment)));
  return route.method.toLowerCase() + words.join('');
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/**
 * The path parameters. A catch-all (`**:name`) is documented as a string that may span several
 * segments: `/` in it may be sent as it is or as `%2F` (OpenAPI has no notation for that).
 */
function pathParameters(route: RouteContract, schemas: JsonObject, prefix: string): JsonObject[] {
  const found = [...route.path.matchAll(/(\*\*)?:(\w+)/g)].map((match) => ({ name: match[2]!, catchAll: !!match[1] }));
  if (found.length === 0) return [];
  const properties = route.params ? standalone(route.params, schemas, prefix).properties : undefined;
  return found.map(({ name, catchAll }) => ({
    name,
    in: 'path',
    required: true,
    ...exampleOf(route.example?.params, name),
    ...(catchAll
      ? {
          description: 'The rest of the path: may contain `/`, sent as it is or URL-encoded as `%2F`',
          'x-fleet-catch-all': true,
        }
      : {}),
    schema: (properties as JsonObject | undefined)?.[name] ?? { type: 'string' },
  }));
}

function queryParameters(route: RouteContract, schemas: JsonObject, prefix: string): JsonObject[] {
  if (!route.query) return [];
  const schema = standalone(route.query, schemas, prefix);
  const properties = schema.properties as Record<string, JsonObject> | undefined;
  if (!properties) {
    // Not a plain object schema: document it as one exploded object parameter.
    return [{ name: 'query', in: 'query', style: 'form', explode: true, schema }];
  }
  const required = new Set((schema.required as string[] | undefined) ?? []);
  return Object.entries(properties).map(([name, property]) => ({
    name,
    in: 'query',
    required: required.has(name),
    ...(typeof property.description === 'string' ? { description: property.description } : {}),
    ...exampleOf(route.example?.query, name),
    schema: property,
  }));
}

/** The request headers the route reads itself, as header parameters (`If-None-Match` with `notModified`). */
function headerParameters(route: RouteContract): JsonObject[] {
  const declared = (route.requestHeaders ?? []).map((header) => ({
    name: header.name,
    in: 'header',
    required: header.required ?? false,
    description: header.description,
    ...(header.example === undefined ? {} : { example: header.example }),
    ...(header.hmacSha256Prefix === undefined ? {} : { 'x-fleet-hmac-sha256-prefix': header.hmacSha256Prefix }),
    schema: { type: 'string' },
  }));
  if (!route.notModified) return declared;
  const ifNoneMatch = {
    name: 'If-None-Match',
    in: 'header',
    required: false,
    description: 'ETags of answers already held (or `*`): when one is still current, the answer is 304, without a body',
    schema: { type: 'string' },
  };
  return [...declared, ifNoneMatch];
}

function exampleOf(values: Readonly<Record<string, unknown>> | undefined, name: string): JsonObject {
  const value = values?.[name];
  return value === undefined ? {} : { example: value };
}

/** One schema converted on its own, its `$defs` moved to the components under `prefix`. */
function standalone(schema: z.ZodType, schemas: JsonObject, prefix: string): JsonObject {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonObject;
  const defs = (json.$defs ?? {}) as Record<string, JsonObject>;
  delete json.$schema;
  delete json.$defs;
  const rename = (ref: string) => (ref.startsWith('#/$defs/') ? `${SCHEMAS}${prefix}${ref.slice(8)}` : ref);
  rewriteRefs(json, rename);
  for (const [name, def] of Object.entries(defs)) {
    rewriteRefs(def, rename);
    schemas[prefix + name] = def;
  }
  return json;
}

/** Named schemas converted together, so a schema used by several routes is one component. */
class SchemaSet {
  readonly #io: 'input' | 'output';
  readonly #registry = z.registry<{ id: string }>();
  readonly #ids = new Map<z.ZodType, string>();

  constructor(io: 'input' | 'output') {
    this.#io = io;
  }

  /** Registers `schema` under `id` unless it already has a name; returns its component name. */
  name(schema: z.ZodType, id: string): string {
    const existing = this.#ids.get(schema);
    if (existing) return existing;
    this.#ids.set(schema, id);
    this.#registry.add(schema, { id });
    return id;
  }

  generate(): JsonObject {
    if (this.#ids.size === 0) return {};
    const shared = `shared-${this.#io}:`;
    const sharedPrefix = this.#io === 'input' ? 'InputShared' : 'OutputShared';
    const result = z.toJSONSchema(this.#registry, {
      io: this.#io,
      unrepresentable: 'any',
      uri: (id) => (id === '__shared' ? shared : SCHEMAS + id),
    }) as { schemas: Record<string, JsonObject> };
    const rename = (ref: string) =>
      ref.startsWith(`${shared}#/$defs/`) ? SCHEMAS + sharedPrefix + capitalize(ref.slice(shared.length + 8)) : ref;
    const out: JsonObject = {};
    for (const [id, schema] of Object.entries(result.schemas)) {
      rewriteRefs(schema, rename);
      if (id === '__shared') {
        for (const [name, def] of Object.entries((schema.$defs ?? {}) as JsonObject))
          out[sharedPrefix + capitalize(name)] = def;
        continue;
      }
      delete schema.$schema;
      delete schema.$id;
      out[id] = schema;
    }
    return out;
  }
}

function rewriteRefs(node: unknown, rename: (ref: string) => string): void {
  if (Array.isArray(node)) {
    for (const item of node) rewriteRefs(item, rename);
  } else if (typeof node === 'object' && node !== null) {
    const record = node as JsonObject;
    for (const key of Object.keys(record)) {
      const value = record[key];
      if (key === '$ref' && typeof value === 'string') record[key] = rename(value);
      else rewriteRefs(value, rename);
    }
  }
}
