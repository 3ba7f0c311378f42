import type { RouteContract } from '@fleet/sdk';
import { exampleValue } from '../../scripts/http-api/example-value.ts';
import type { JsonSchema, OpenApiDocument, Operation, Parameter } from '../../scripts/http-api/openapi-document.ts';
import { type FieldOverrides, type RandomTools, randomValue } from './random-value.ts';
import type { FuzzRequest } from './send.ts';

/** One documented operation of a running server, with the route contract it was generated from. */
export interface OperationUnderTest {
  doc: OpenApiDocument;
  /** Upper case, e.g. `POST`. */
  method: string;
  /** As documented, e.g. `/facts/{key}`. */
  path: string;
  operation: Operation;
  route: RouteContract;
}

/** A request before it is encoded: path parameters, query entries (a key may repeat) and the JSON body. */
export interface RequestParts {
  params: Record<string, string>;
  query: Array<[string, string]>;
  /** `undefined` for a route without a body. */
  body: unknown;
}

/** The operation's path parameters. */
export function pathParameters(op: OperationUnderTest): Parameter[] {
  return (op.operation.parameters ?? []).filter((parameter) => parameter.in === 'path');
}

/** The operation's query parameters. */
export function queryParameters(op: OperationUnderTest): Parameter[] {
  return (op.operation.parameters ?? []).filter((parameter) => parameter.in === 'query');
}

/** The JSON body's schema, if the operation takes one. */
export function bodySchema(op: OperationUnderTest): JsonSchema | undefined {
  return op.operation.requestBody?.content['application/json']?.schema;
}

/** A copy of `value` with every field named in `overrides` replaced (e.g. `waitSeconds: 0`). */
export function withOverrides(value: unknown, overrides: FieldOverrides): unknown {
  if (Array.isArray(value)) return value.map((item) => withOverrides(item, overrides));
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([name, field]) => [
      name,
      overrides[name] ? overrides[name]() : withOverrides(field, overrides),
    ]),
  );
}

function queryEntries(name: string, value: unknown): Array<[string, string]> {
  return Array.isArray(value) ? value.map((item) => [name, String(item)]) : [[name, String(value)]];
}

/**
 * The contract's example (what `docs/http-api.md` shows, and the reference test proves valid),
 * with the fields in `overrides` replaced: the base every broken request is made from.
 */
export function exampleParts(op: OperationUnderTest, overrides: FieldOverrides): RequestParts {
  const params: Record<string, string> = {};
  const query: Array<[string, string]> = [];
  for (const parameter of op.operation.parameters ?? []) {
    // Header parameters are the signer's (the deploy hook's), never query parameters.
    if (parameter.in === 'header') continue;
    const value =
      parameter.example ?? (parameter.required ? exampleValue(op.doc, parameter.schema, parameter.name) : undefined);
    if (value === undefined) continue;
    const replaced = overrides[parameter.name]?.() ?? value;
    if (parameter.in === 'path') params[parameter.name] = String(replaced);
    else query.push(...queryEntries(parameter.name, replaced));
  }
  const json = op.operation.requestBody?.content['application/json'];
  const body = json ? withOverrides(json.example ?? exampleValue(op.doc, json.schema, 'body'), overrides) : undefined;
  return { params, query, body };
}

/** Random parts that fit the documented schemas (see `randomValue`). */
export function randomParts(op: OperationUnderTest, tools: RandomTools, overrides: FieldOverrides): RequestParts {
  const params: Record<string, string> = {};
  const query: Array<[string, string]> = [];
  for (const parameter of op.operation.parameters ?? []) {
    if (parameter.in === 'header' || (parameter.in === 'query' && !parameter.required && tools.chance(0.5))) continue;
    const value = randomValue(op.doc, parameter.schema, tools, parameter.name, overrides);
    if (parameter.in === 'path') params[parameter.name] = String(value);
    else query.push(...queryEntries(parameter.name, value));
  }
  const schema = bodySchema(op);
  return { params, query, body: schema ? randomValue(op.doc, schema, tools, 'body', overrides) : undefined };
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** `encodeURIComponent`, with a lone surrogate (which it cannot encode) sent as U+FFFD. */
function encodeSegment(value: string): string {
  return encodeURIComponent(value.replace(LONE_SURROGATE, '\ufffd'));
}

/** Path and query string: a catch-all parameter keeps its `/`, every other value is one encoded segment. */
export function targetOf(op: OperationUnderTest, parts: RequestParts, rawParams: Record<string, string> = {}): string {
  let target = op.path;
  for (const parameter of pathParameters(op)) {
    const raw = rawParams[parameter.name];
    const value = parts.params[parameter.name] ?? '';
    const encoded =
      raw ?? (parameter['x-fleet-catch-all'] ? value.split('/').map(encodeSegment).join('/') : encodeSegment(value));
    target = target.replace(`{${parameter.name}}`, encoded);
  }
  const search = new URLSearchParams(parts.query).toString();
  return search === '' ? target : `${target}?${search}`;
}

/**
 * The headers of a well-formed request: the token (also where the document names no security
 * scheme: the dashboard's pages and event stream check it themselves, for browsers), and JSON
 * where the request has a body.
 */
export function headersOf(token: string, hasBody: boolean): Record<string, string> {
  return {
    authorization: `Bearer ${token}`,
    ...(hasBody ? { 'content-type': 'application/json' } : {}),
  };
}

/** The parts as a request. */
export function requestOf(op: OperationUnderTest, parts: RequestParts, label: string, token: string): FuzzRequest {
  const hasBody = parts.body !== undefined;
  return {
    label,
    method: op.method,
    target: targetOf(op, parts),
    headers: headersOf(token, hasBody),
    ...(hasBody ? { body: JSON.stringify(parts.body) } : {}),
  };
}
