import { MAX_JSON_DEPTH } from '@fleet/sdk';
import { curlCommand, exampleRequest } from './example-request.ts';
import {
  type Response as DocumentedResponse,
  type ErrorCodeEntry,
  type OpenApiDocument,
  type Operation,
  resolveSchema,
} from './openapi-document.ts';
import type { ReferenceService } from './reference-servers.ts';
import { routeFields } from './route-fields.ts';
import type { FieldRow } from './schema-fields.ts';
import { Slugger } from './slugger.ts';

/** One route of one server, in the order of its OpenAPI document. */
interface Route {
  method: string;
  path: string;
  operation: Operation;
  /** The heading's anchor. */
  anchor: string;
}

/**
 * The HTTP API reference of Fleet's servers as Markdown, from their OpenAPI documents: the
 * conventions and error codes, then per server every route with its parameters, body and response
 * fields, errors and a curl example. Deterministic: the same documents give the same text.
 */
export function renderHttpApiReference(services: readonly ReferenceService[]): string {
  const slugger = new Slugger();
  const sections = services.map((service) => ({
    service,
    anchor: slugger.slug(service.title),
    routes: routesOf(service.doc, slugger),
  }));
  const errorsAnchor = slugger.slug('Errors');
  const out: string[] = [
    '# HTTP API reference',
    '',
    "<!-- Generated from the servers' GET /openapi.json by `npm run docs:api`. Do not edit: change the SDK's route contracts and schemas, then regenerate. -->",
    '',
    "Every route of Fleet's servers: its parameters, body and response fields, its errors and a curl example. Each server describes the same in the OpenAPI 3.1 document it serves at `GET /openapi.json`; both are generated from the route contracts and zod schemas in `@fleet/sdk`, so this page is what the servers do. Nothing here needs the SDK: any HTTP client will do.",
    '',
    ...sections.map(({ service, anchor }) => `- [${service.title}](#${anchor})`),
    `- [Errors](#${errorsAnchor})`,
    '',
    '## Conventions',
    '',
    '- Request and response bodies are JSON (`Content-Type: application/json`), in UTF-8 and uncompressed; a body whose fields all have defaults may be left out. A body that is not valid UTF-8 is refused with `400 invalid_json`, a `charset` other than UTF-8 or a `Content-Encoding` other than `identity` with `415 unsupported_media_type`.',
    '- Query parameters are text: numbers as decimal digits (`?limit=50`). Unknown body fields and query parameters are refused with `400 validation_failed`, on a route without any too; a route without a request body takes none, or an empty JSON object `{}` (another body is `400 invalid_json` or `400 validation_failed`).',
    '- A request refused before its body was read is answered without reading the body, and its connection closed; `Expect: 100-continue` gets `100 Continue` only from a route that reads the body (a body declared over the limit, `413 payload_too_large` at once). A request must arrive whole within 30 s, its headers within 10 s (`408 request_timeout`); a long poll or a stream may then answer for as long as it takes.',
    `- Any-JSON fields (message payloads, fact values) may nest arrays and objects at most ${MAX_JSON_DEPTH} levels deep; a deeper value is refused with \`400 validation_failed\` naming the field.`,
    '- Times are ISO 8601 in UTC with milliseconds (`2025-01-31T12:00:00.000Z`).',
    '- Lists are `{"<items>": [...], "count": N}`, plus `nextCursor` where paginated (`null` on the last page): pass it back as `?cursor=`.',
    `- Errors are \`{"error": {"code": "...", "message": "...", "details": ...}}\`; each route lists its codes, and [Errors](#${errorsAnchor}) says what each means. A refused request changes nothing stored.`,
    "- Auth: when a server is started with tokens (`--token`), every route marked **Auth: bearer token** needs `Authorization: Bearer <token>`. Without tokens the header is not needed, and the examples' empty one does no harm; those routes then answer only a `Host` that is an IP address, `localhost` or a name allowed with `--allowed-host` (`403 host_not_allowed` otherwise).",
    '- Server-Sent Events routes send each item as `event: message` with its JSON as `data`, an `event: ping` (data `{}`) every 15 s as keepalive while the client waits for data (an event, which a browser `EventSource` sees), and a final `event: error` carrying the error envelope if the stream fails (`unavailable` when the client fell 10,000 items or 16 MiB behind). A client that takes nothing for four keepalive intervals while the server has bytes waiting for it is disconnected.',
    "- The examples take the server's URL and token from the environment, e.g. `FLEET_BUS_URL` (default `http://127.0.0.1:8650`) and `FLEET_BUS_TOKEN`, as the CLIs do.",
    '',
  ];
  for (const { service, routes } of sections) out.push(...renderService(service, routes));
  out.push(...renderErrorCodes(services[0]?.doc));
  return `${out.join('\n').trimEnd()}\n`;
}

function routesOf(doc: OpenApiDocument, slugger: Slugger): Route[] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, operation]) => ({
      method: method.toUpperCase(),
      path,
      operation,
      anchor: slugger.slug(`${method.toUpperCase()} ${path}`),
    })),
  );
}

function renderService(service: ReferenceService, routes: readonly Route[]): string[] {
  const out = [
    `## ${service.title}`,
    '',
    service.intro,
    `Default URL \`${service.defaultUrl}\` (\`${service.urlEnv}\` in the examples), token \`${service.tokenEnv}\`.`,
    '',
    '| Route | Summary |',
    '| --- | --- |',
    ...routes.map(
      (route) => `| [\`${route.method} ${route.path}\`](#${route.anchor}) | ${cell(route.operation.summary)} |`,
    ),
    '',
  ];
  for (const route of routes) out.push(...renderRoute(service, route));
  return out;
}

function renderRoute(service: ReferenceService, route: Route): string[] {
  const { doc } = service;
  const { operation } = route;
  const out = [`### \`${route.method} ${route.path}\``, '', sentence(operation.summary), ''];
  out.push(`**Auth:** ${authText(operation)}`, '');

  const fields = routeFields(doc, operation);
  const titles = { path: 'Path parameters', query: 'Query parameters', header: 'Request headers' } as const;
  for (const where of ['path', 'query', 'header'] as const) {
    const rows = fields[where];
    if (rows.length === 0) continue;
    out.push(`**${titles[where]}**`, '', ...inputTable(rows, 'Name'), '');
  }

  const body = operation.requestBody?.content['application/json'];
  if (body && fields.body) {
    const schema = resolveSchema(doc, body.schema);
    const strict = schema.additionalProperties === false ? '; other fields are refused' : '';
    out.push(`**Request body** (JSON${strict})`, '', ...inputTable(fields.body, 'Field'), '');
  }

  out.push(
    ...renderSuccess(operation, fields.response),
    ...renderRedirects(operation),
    ...renderNotModified(operation),
  );
  out.push(...renderRouteErrors(doc, operation));

  const request = exampleRequest(doc, route.method, route.path, operation);
  out.push('**Example**', '', '```sh', curlCommand(request, service), '```', '');
  return out;
}

function authText(operation: Operation): string {
  if (operation.security) return 'bearer token, when the server has tokens.';
  if (operation['x-fleet-auth']) return operation['x-fleet-auth'];
  const checked = Object.values(operation.responses).some((response) =>
    response['x-fleet-error-codes']?.includes('unauthorized'),
  );
  return checked ? 'checked by the route itself, when the server has tokens (see above).' : 'none.';
}

function renderSuccess(operation: Operation, rows: readonly FieldRow[]): string[] {
  const [status, response] = Object.entries(operation.responses)[0]!;
  const content = response.content ?? {};
  if (content['text/event-stream']) {
    return [
      `**Response \`${status}\`**: Server-Sent Events (\`text/event-stream\`), each \`event: message\` carrying one JSON object (a failure ends the stream with \`event: error\` carrying the error envelope):`,
      '',
      ...outputTable(rows),
      '',
    ];
  }
  if (!content['application/json']) {
    const [type] = Object.keys(content);
    return [`**Response \`${status}\`**: text${type ? ` (\`${type}\`)` : ''}.`, ''];
  }
  const headers = response.headers ? `, with header ${headerNames(response)}` : '';
  if (rows.length === 0) return [`**Response \`${status}\`**: a JSON object${headers}.`, ''];
  return [`**Response \`${status}\`** (JSON${headers})`, '', ...outputTable(rows), ''];
}

function renderRedirects(operation: Operation): string[] {
  return Object.entries(operation.responses)
    .filter(([status]) => /^3\d\d$/.test(status) && status !== '304')
    .flatMap(([status, response]) => [
      `**Response \`${status}\`**: a redirect (${headerNames(response)}). ${sentence(response.description ?? '')}`,
      '',
    ]);
}

function renderNotModified(operation: Operation): string[] {
  const response = operation.responses['304'];
  if (!response) return [];
  return [
    `**Response \`304\`**: not modified, no body (${headerNames(response)}). ${sentence(response.description ?? '')}`,
    '',
  ];
}

/** The headers a response documents, as code: `` `location`, `set-cookie` ``. */
function headerNames(response: DocumentedResponse): string {
  return Object.keys(response.headers ?? {})
    .map((name) => `\`${name}\``)
    .join(', ');
}

function renderRouteErrors(doc: OpenApiDocument, operation: Operation): string[] {
  const meanings = errorMeanings(doc);
  const rows: string[] = [];
  for (const [status, response] of Object.entries(operation.responses)) {
    const pages = response['x-fleet-html-error-codes'] ?? [];
    for (const code of response['x-fleet-error-codes'] ?? []) {
      const page = pages.includes(code) ? ' Answered with an HTML page (`text/html`), not the envelope.' : '';
      const meaning = response['x-fleet-error-descriptions']?.[code] ?? meanings.get(code) ?? '';
      rows.push(`| ${status} | \`${code}\` | ${cell(`${meaning}${page}`)} |`);
    }
  }
  if (rows.length === 0) return [];
  return ['**Errors**', '', '| Status | Code | When |', '| --- | --- | --- |', ...rows, ''];
}

function renderErrorCodes(doc: OpenApiDocument | undefined): string[] {
  const entries: ErrorCodeEntry[] = doc?.components.responses.Error['x-fleet-errors'] ?? [];
  return [
    '## Errors',
    '',
    'Every error answer is `{"error": {"code": "...", "message": "...", "details": ...}}`. `message` is for people; branch on `code`. Any route may also answer `500 internal` or `503 unavailable`, and a path or method no route has gets `404 route_not_found` or `405 method_not_allowed`.',
    '',
    '| Code | Status | Meaning |',
    '| --- | --- | --- |',
    ...[...entries]
      .sort((a, b) => a.status - b.status)
      .map((entry) => `| \`${entry.code}\` | ${entry.status} | ${cell(entry.description)} |`),
    '',
  ];
}

function errorMeanings(doc: OpenApiDocument): Map<string, string> {
  const entries = doc.components.responses.Error['x-fleet-errors'] ?? [];
  return new Map(entries.map((entry) => [entry.code, entry.description]));
}

function inputTable(rows: readonly FieldRow[], label: 'Name' | 'Field'): string[] {
  return [
    `| ${label} | Type | Required | Default | Limits | Description |`,
    '| --- | --- | --- | --- | --- | --- |',
    ...rows.map(
      (row) =>
        `| \`${row.name}\` | ${cell(row.type)} | ${row.required ? 'yes' : 'no'} | ${row.default === undefined ? '' : `\`${cell(row.default)}\``} | ${cell(row.limits)} | ${cell(row.description)} |`,
    ),
  ];
}

function outputTable(rows: readonly FieldRow[]): string[] {
  return [
    '| Field | Type | Description |',
    '| --- | --- | --- |',
    ...rows.map(
      (row) =>
        `| \`${row.name}\` | ${cell(row.required ? row.type : `${row.type}, optional`)} | ${cell(joinText(row.description, row.limits))} |`,
    ),
  ];
}

/** A response field's description, with its limits when they say something (an enum's values). */
function joinText(description: string, limits: string): string {
  if (!limits.startsWith('one of')) return description;
  return description === '' ? sentence(limits) : `${sentence(description)} ${sentence(limits)}`;
}

function sentence(text: string): string {
  const trimmed = text.trim();
  if (trimmed === '') return '';
  const capital = trimmed[0]!.toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

/** Text safe inside a table cell: no line breaks, `|` escaped. */
function cell(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').replaceAll('|', '\\|');
}
