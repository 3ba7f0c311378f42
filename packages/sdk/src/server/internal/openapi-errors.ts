import type { RouteContract } from '../../contract/route.ts';
import { ErrorCode } from '../../schemas/error.ts';
import { errorCodeStatus } from '../http-error.ts';
import { changesState } from './cross-site.ts';
import { errorCodeDescription } from './error-descriptions.ts';
import { guardsHost } from './host-guard.ts';
import { SCHEMAS } from './openapi-refs.ts';

type JsonObject = Record<string, unknown>;

/** The content of every error answer: the shared envelope. */
export const ERROR_CONTENT = { 'application/json': { schema: { $ref: `${SCHEMAS}ErrorEnvelope` } } };

/** Every error code with its status and meaning, for `components.responses.Error` (`x-fleet-errors`). */
export function errorCatalog(): JsonObject[] {
  return ErrorCode.options.map((code) => ({
    code,
    status: errorCodeStatus[code],
    description: errorCodeDescription[code],
  }));
}

/**
 * The 4xx answers of a route, one response per status: the plumbing's (bad input and body limits,
 * on every route; auth and, without tokens, the `Host` allow-list unless the server allows every
 * name (`hostGuard` false); cross-site requests to a route that changes state) and the contract's own `errors`, each
 * described by the route's `errorDescriptions` or else the shared meaning. 5xx answers
 * (`internal`, `unavailable`) can come from any route and stay in `5XX`.
 */
export function errorResponses(route: RouteContract, hostGuard = true): Record<string, JsonObject> {
  const codes = new Set<ErrorCode>();
  // Every route checks its query and body: one without a schema for them refuses any query
  // parameter and any body but `{}`, read within the body limit and uncompressed.
  for (const code of ['validation_failed', 'invalid_json', 'payload_too_large', 'unsupported_media_type'] as const) {
    codes.add(code);
  }
  if (route.auth !== false) codes.add('unauthorized');
  if (hostGuard && guardsHost(route)) codes.add('host_not_allowed');
  if (changesState(route)) codes.add('cross_site_request');
  for (const code of route.errors ?? []) codes.add(code);
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of ErrorCode.options) {
    const status = errorCodeStatus[code];
    if (!codes.has(code) || status >= 500) continue;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const html = new Set(route.htmlErrors ?? []);
  const responses: Record<string, JsonObject> = {};
  for (const [status, statusCodes] of [...byStatus].sort(([a], [b]) => a - b)) {
    const pages = statusCodes.filter((code) => html.has(code));
    const description = statusCodes
      .map((code) => `\`${code}\`: ${route.errorDescriptions?.[code] ?? errorCodeDescription[code]}`)
      .join(' ');
    responses[String(status)] = {
      description: pages.length === 0 ? description : `${description} ${htmlNote(pages)}`,
      content: {
        ...(pages.length < statusCodes.length ? ERROR_CONTENT : {}),
        ...(pages.length > 0 ? HTML_ERROR_CONTENT : {}),
      },
      'x-fleet-error-codes': statusCodes,
      ...routeDescriptions(route, statusCodes),
      ...(pages.length > 0 ? { 'x-fleet-html-error-codes': pages } : {}),
    };
  }
  return responses;
}

/** `x-fleet-error-descriptions`: the route's own meaning of those of `codes` it describes (see `errorDescriptions`). */
function routeDescriptions(route: RouteContract, codes: readonly ErrorCode[]): JsonObject {
  const own = codes.filter((code) => route.errorDescriptions?.[code] !== undefined);
  if (own.length === 0) return {};
  return {
    'x-fleet-error-descriptions': Object.fromEntries(own.map((code) => [code, route.errorDescriptions?.[code]])),
  };
}

/** The content of a page's own refusal: an HTML page for the reader. */
const HTML_ERROR_CONTENT = { 'text/html': { schema: { type: 'string' } } };

function htmlNote(codes: readonly ErrorCode[]): string {
  const list = codes.map((code) => `\`${code}\``).join(' and ');
  return `The route answers ${list} with an HTML page (\`text/html\`, the code in its root element's \`data-code\`), not the envelope.`;
}
