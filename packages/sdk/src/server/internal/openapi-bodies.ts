import type { z } from 'zod';
import type { RouteContract, RouteNotModified, RouteRedirect } from '../../contract/route.ts';
import { SCHEMAS } from './openapi-refs.ts';

type JsonObject = Record<string, unknown>;

/** The `ETag` of a route that answers conditional requests, on its success and its `304`. */
const ETAG_HEADER = {
  description: 'A strong validator of this answer: sent back in If-None-Match, it gets 304 while it is current',
  schema: { type: 'string' },
};

/** The schema documented as the request body: the validated `body`, or the one the handler reads itself. */
export function bodyOf(route: RouteContract): z.ZodType | undefined {
  return route.body ?? route.documentedBody;
}

/** The JSON request body, referring to its schema component `body`. */
export function requestBody(route: RouteContract, body: string): JsonObject {
  const example = route.example?.body;
  return {
    required: true,
    content: {
      'application/json': { schema: { $ref: SCHEMAS + body }, ...(example === undefined ? {} : { example }) },
    },
  };
}

/** The success answer: the contract's JSON, text or event stream, with its `ETag` when the route answers 304s. */
export function successResponse(route: RouteContract, kind: string, response: string | undefined): JsonObject {
  const headers = route.notModified ? { headers: { etag: ETAG_HEADER } } : {};
  if (kind === 'text') {
    const type = route.contentType ?? 'text/plain';
    return { description: route.summary, ...headers, content: { [type]: { schema: { type: 'string' } } } };
  }
  const schema = { $ref: SCHEMAS + response };
  if (kind === 'sse') {
    return {
      description: `${route.summary}. Each \`event: message\` carries one item as JSON \`data\`; a failure ends the stream with \`event: error\`, whose \`data\` is the error envelope.`,
      content: { 'text/event-stream': { schema: { type: 'string' }, 'x-fleet-event-data': schema } },
    };
  }
  return { description: route.summary, ...headers, content: { 'application/json': { schema } } };
}

/** A redirect answer, with `Location` and the headers the contract names. */
export function redirectResponse(redirect: RouteRedirect): JsonObject {
  const header = { schema: { type: 'string' } };
  return {
    description: redirect.description,
    headers: Object.fromEntries(['location', ...(redirect.headers ?? [])].map((name) => [name, header])),
  };
}

/** The `304` of a route that answers conditional requests: its `ETag`, no body. */
export function notModifiedResponse(notModified: RouteNotModified): JsonObject {
  return { description: notModified.description, headers: { etag: ETAG_HEADER } };
}
