import { type H3Event, HTTPResponse } from 'h3';
import { HttpError } from '../http-error.ts';
import type { RouteContext, RouteImplementation } from '../implement.ts';
import { validateInput } from '../validate.ts';
import type { BearerCheck } from './auth.ts';
import { isJsonContentType, readBodyText } from './body.ts';
import { changesState, refuseCrossSite } from './cross-site.ts';
import { guardsHost, type HostGuard } from './host-guard.ts';
import { decodeParams, parseQuery } from './inputs.ts';
import type { HttpMetrics } from './metrics.ts';
import { RequestContext, type ServerState } from './request-scope.ts';
import { errorResult, jsonResult, type ServerLogger, toHttpError } from './respond.ts';
import { eventStreamResult } from './sse.ts';

/** What every compiled route of one server shares. */
export interface RouteCompilerContext {
  service: string;
  state: ServerState;
  metrics: HttpMetrics;
  bearer: BearerCheck | undefined;
  /** The `Host` allow-list of a server without tokens; `undefined` when it has tokens. */
  hosts: HostGuard | undefined;
  bodyLimitBytes: number;
  sseKeepAliveMs: number;
  logger: ServerLogger;
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

function parseJson(text: string): unknown {
  // An empty body reads as `{}`, so a route whose body fields all have defaults can be called bare.
  if (text.length === 0) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError('invalid_json', 'Request body is not valid JSON');
  }
}

/**
 * Turns one route implementation into an h3 handler. Everything that does not depend on the
 * request (schemas, status, auth, metric labels) is resolved here, once.
 */
export function compileRoute(
  implementation: RouteImplementation,
  c: RouteCompilerContext,
): (event: H3Event) => unknown {
  const { route, handler } = implementation;
  const { state, logger, bodyLimitBytes, sseKeepAliveMs } = c;
  const status = route.status ?? 200;
  const kind = route.kind ?? 'json';
  const bearer = route.auth === false ? undefined : c.bearer;
  const hosts = guardsHost(route) ? c.hosts : undefined;
  const sameSiteOnly = changesState(route);
  const paramsSchema = route.params;
  const querySchema = route.query;
  const bodySchema = route.body;
  const metrics = c.metrics.forRoute(route.method, route.path);
  const where = `${c.service} ${route.method} ${route.path}`;
  const toError = (error: unknown) => toHttpError(error, logger, where);

  return async function fleetRoute(event: H3Event): Promise<unknown> {
    const start = performance.now();
    let ctx: RequestContext | undefined;
    let streaming = false;
    state.begin();
    try {
      if (state.closing) throw new HttpError('unavailable', 'The server is shutting down');
      if (sameSiteOnly) refuseCrossSite(event.req.headers);
      if (hosts) hosts.check(event.req.headers.get('host'));
      if (bearer) bearer(event.req.headers.get('authorization'));
      const params = paramsSchema
        ? validateInput(paramsSchema, decodeParams(event.context.params), 'params')
        : undefined;
      const query = querySchema ? validateInput(querySchema, parseQuery(event.url.search), 'query') : undefined;
      let body: unknown;
      if (bodySchema) {
        const contentType = event.req.headers.get('content-type');
        if (!isJsonContentType(contentType)) {
          throw new HttpError('unsupported_media_type', `Request body must be application/json, not ${contentType}`);
        }
        body = validateInput(bodySchema, parseJson(await readBodyText(event, bodyLimitBytes)), 'body');
      }
      ctx = new RequestContext(event, state, params, query, body, bodySchema ? undefined : bodyLimitBytes);
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
        return response;
      }
      metrics.record(status, (performance.now() - start) / 1000);
      return kind === 'text' ? textResult(result, status) : jsonResult(event, result, status);
    } catch (error) {
      const httpError = toError(error);
      metrics.record(httpError.status, (performance.now() - start) / 1000);
      return errorResult(httpError);
    } finally {
      if (!streaming) {
        ctx?.release();
        state.end();
      }
    }
  };
}
