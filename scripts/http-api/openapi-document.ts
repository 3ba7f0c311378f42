/**
 * The parts of a Fleet server's OpenAPI 3.1 document (`GET /openapi.json`, made by
 * `createOpenApiDocument`) that the HTTP API reference reads.
 */

/** A JSON Schema as `z.toJSONSchema` writes it. */
export interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  format?: string;
  description?: string;
  default?: unknown;
  examples?: unknown[];
  const?: unknown;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: JsonSchema | boolean;
  propertyNames?: JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
}

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  description?: string;
  example?: unknown;
  schema: JsonSchema;
  'x-fleet-catch-all'?: boolean;
  /** On a header: it carries the HMAC-SHA256 (hex) of the exact body after this prefix. */
  'x-fleet-hmac-sha256-prefix'?: string;
}

export interface MediaType {
  schema: JsonSchema;
  example?: unknown;
  /** On `text/event-stream`: the schema of each event's JSON data. */
  'x-fleet-event-data'?: JsonSchema;
}

export interface Response {
  $ref?: string;
  description?: string;
  content?: Record<string, MediaType>;
  /** On an error response: the error codes answered with this status. */
  'x-fleet-error-codes'?: string[];
  /** The route's own meaning of some of those codes, where the shared one does not fit. */
  'x-fleet-error-descriptions'?: Record<string, string>;
  /** Of those, the codes the route answers with an HTML page (`text/html`) instead of the envelope. */
  'x-fleet-html-error-codes'?: string[];
  /** The headers it sends: a redirect's (`location`, ...), the `etag` of a success and its `304`. */
  headers?: Record<string, { schema: JsonSchema; description?: string }>;
}

export interface Operation {
  operationId: string;
  summary: string;
  parameters?: Parameter[];
  requestBody?: { required: boolean; content: Record<string, MediaType> };
  responses: Record<string, Response>;
  security?: unknown[];
  /** How a route without the bearer scheme authenticates a request itself. */
  'x-fleet-auth'?: string;
}

/** One error code as `components.responses.Error` lists it. */
export interface ErrorCodeEntry {
  code: string;
  status: number;
  description: string;
}

export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; description?: string };
  paths: Record<string, Record<string, Operation>>;
  components: {
    schemas: Record<string, JsonSchema>;
    responses: { Error: Response & { 'x-fleet-errors'?: ErrorCodeEntry[] } };
  };
}

/** Follows `$ref`s (`#/components/schemas/Name`) until a schema that is not one. */
export function resolveSchema(doc: OpenApiDocument, schema: JsonSchema): JsonSchema {
  let current = schema;
  for (let hops = 0; current.$ref !== undefined; hops++) {
    const name = current.$ref.replace('#/components/schemas/', '');
    const target = doc.components.schemas[name];
    if (!target || hops > 20) throw new Error(`unresolvable schema reference ${current.$ref}`);
    current = target;
  }
  return current;
}
