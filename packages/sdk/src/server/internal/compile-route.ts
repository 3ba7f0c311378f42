import type { IncomingMessage, ServerResponse } from 'node:http';
import { type H3, type H3Event, HTTPResponse } from 'h3';
import { HttpError } from '../http-error.ts';
import type { RouteContext, RouteImplementation } from '../implement.ts';
import { validateInput } from '../validate.ts';
import type { BearerCheck } from './auth.ts';
import { readBodyText } from './body.ts';
import { checkJsonContentType } from './body-headers.ts';
import { catchAllParam, withTrailingSlash } from './catch-all-param.ts';
import { changesState, refuseCrossSite } from './cross-site.ts';
import { failDirect, sendDirect } from './direct-response.ts';
import { guardsHost, type HostGuard } from './host-guard.ts';
import { decodeParams, parseQuery } from './inputs.ts';
import type { HttpMetrics } from './metrics.ts';
import { hasBody, refuseBody, refuseQuery } from './no-input.ts';
import { parseJson } from './parse-json.ts';
import { h3Input, nodeInput, type RequestInput } from './request-input.ts';
import { RequestContext, type ServerState } from './request-scope.ts';
import { errorResult, jsonResult, RETRY_SOON, type ServerLogger, toHttpError } from './respond.ts';
import type { RouteOutcome } from './route-outcome.ts';
import { eventStreamResult } from './sse.ts';

/** What every compiled route of one server shares. */
export interface RouteCompilerContext {
  service: string;
  /** The h3 app the routes are registered on (direct routes build their h3 events on it). */
  app: H3;
  state: ServerState;
  metrics: HttpMetrics;
  bearer: BearerCheck | undefined;
  /** The `Host` allow-list of a server without tokens; `undefined` when it has tokens. */
  hosts: HostGuard | undefined;
  bodyLimitBytes: number;
  sseKeepAliveMs: number;
  logger: ServerLogger;
}

/** A route answered straight from node:http: the request, its response, and the query string (`?...` or `''`). */
export type DirectHandler = (req: IncomingMessage, res: ServerResponse, search: string) => void;

/** One route, compiled: its h3 handler, and its node:http handler when it may skip h3. */
export interface CompiledRoute {
  /** Serves the route through h3 (in-process `fetch`, and what node:http hands to h3). */
  h3: (event: H3Event) => unknown;
  /**
   * Serves the route straight from node:http, for a JSON route on a path without parameters: the
   * same checks, validation and handler, without h3's URL parsing, routing and web `Response`.
   * `undefined` for every other route.
   */
  direct: DirectHandler | undefined;
}

const TEXT_HEADERS = { 'content-type': 'text/plain; charset=utf-8' } as const;

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function'
  );
}

function textResult(value: unknown, status: number): unknown {
  if (value instanceof Response || value instanceof HTTPResponse) return value;
  return new HTTPResponse(String(value), { status, headers: TEXT_HEADERS });
}

/**
 * Statuses whose answers carry no body (RFC 9110: 204, 205, 304): h3 leaves the body and its length
 * out, so a route answering one is always served through h3.
 */
const BODILESS_STATUSES: ReadonlySet<number> = new Set([204, 205, 304]);

/** True for a path with no `:param` or `*` segment, which a lookup by the exact path can serve. */
function isStaticPath(path: string): boolean {
  return !path.includes(':') && !path.includes('*');
}

/**
 * Compiles one route implementation. Everything that does not depend on the request (schemas,
 * status, auth, metric labels) is resolved here, once; both ways in share the same handling.
 */
export function compileRoute(implementation: RouteImplementation, c: RouteCompilerContext): CompiledRoute {
  const { route } = implementation;
  const kind = route.kind ?? 'json';
  const where = `${c.service} ${route.method} ${route.path}`;
  const handle = routeHandling(implementation, c, where);
  return {
    async h3(event) {
      const outcome = await handle(h3Input(event));
      if (outcome.type === 'error') return errorResult(outcome.error);
      if (outcome.type === 'stream') return outcome.response;
      return kind === 'text'
        ? textResult(outcome.value, outcome.status)
        : jsonResult(event, outcome.value, outcome.status);
    },
    direct:
      kind === 'json' && isStaticPath(route.path) && !BODILESS_STATUSES.has(route.status ?? 200)
        ? (req, res, search) => {
            const input = nodeInput(req, res, search, c.app);
            handle(input)
              .then((outcome) => sendDirect(res, input, outcome, c.app))
              .catch((error: unknown) => failDirect(res, error, c.logger, where));
          }
        : undefined,
  };
}

/**
 * The path parameters of a request, a catch-all one as the raw path has it, trailing `/` included.
 * A route with a catch-all parameter is never served straight from node:http, so its event is h3's own.
 */
function paramsOf(input: RequestInput, catchAll: string | undefined): Record<string, string> | undefined {
  const params = input.params();
  return catchAll === undefined ? params : withTrailingSlash(params, catchAll, input.event().url.pathname);
}

/** The request handling of one route, from its checks to its outcome; it never throws. */
function routeHandling(
  implementation: RouteImplementation,
  c: RouteCompilerContext,
  where: string,
): (input: RequestInput) => Promise<RouteOutcome> {
  const { route, handler } = implementation;
  const { state, logger, bodyLimitBytes, sseKeepAliveMs } = c;
  const status = route.status ?? 200;
  const kind = route.kind ?? 'json';
  const bearer = route.auth === false ? undefined : c.bearer;
  const hosts = guardsHost(route) ? c.hosts : undefined;
  const sameSiteOnly = changesState(route);
  const paramsSchema = route.params;
  const catchAll = catchAllParam(route.path);
  const querySchema = route.query;
  const bodySchema = route.body;
  // A route documenting a body its handler reads (`ctx.rawBody()`) gets it unread.
  const readsOwnBody = route.documentedBody !== undefined;
  const metrics = c.metrics.forRoute(route.method, route.path);
  const toError = (error: unknown) => toHttpError(error, logger, where);

  return async function fleetRoute(input: RequestInput): Promise<RouteOutcome> {
    const start = performance.now();
    const headers = input.request.headers;
    let ctx: RequestContext | undefined;
    let streaming = false;
    state.begin();
    try {
      if (state.closing) throw new HttpError('unavailable', 'The server is shutting down', { headers: RETRY_SOON });
      if (sameSiteOnly) refuseCrossSite(headers);
      if (hosts) hosts.check(headers.get('host'));
      if (bearer) bearer(headers.get('authorization'));
      const params = paramsSchema
        ? validateInput(paramsSchema, decodeParams(paramsOf(input, catchAll)), 'params')
        : undefined;
      const query = querySchema
        ? validateInput(querySchema, parseQuery(input.search), 'query')
        : refuseQuery(input.search);
      let body: unknown;
      if (bodySchema) {
        checkJsonContentType(headers.get('content-type'));
        body = validateInput(bodySchema, parseJson(await readBodyText(input.request, bodyLimitBytes)), 'body');
      } else if (!readsOwnBody && hasBody(input.request)) {
        await refuseBody(input.request, bodyLimitBytes);
      }
      ctx = new RequestContext(input, state, params, query, body, readsOwnBody ? bodyLimitBytes : undefined);
      const result = await handler(ctx as unknown as RouteContext<typeof route>);
      if (kind === 'sse') {
        if (!isAsyncIterable(result)) throw new TypeError(`${where}: an sse handler must return an AsyncIterable`);
        const scope = ctx;
        const response = eventStreamResult(result, {
          controller: scope.controller(),
          keepAliveMs: sseKeepAliveMs,
          toError,
          onEnd: () => {
            scope.release();
            state.end();
          },
        });
        streaming = true;
        metrics.record(200, (performance.now() - start) / 1000);
        return { type: 'stream', response };
      }
      metrics.record(status, (performance.now() - start) / 1000);
      return { type: 'result', status, value: result };
    } catch (error) {
      const httpError = toError(error);
      metrics.record(httpError.status, (performance.now() - start) / 1000);
      return { type: 'error', error: httpError };
    } finally {
      if (!streaming) {
        ctx?.release();
        state.end();
      }
    }
  };
}
