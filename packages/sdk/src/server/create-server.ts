import { H3, type H3Event } from 'h3';
import { toNodeHandler } from 'h3/node';
import type { Registry } from 'prom-client';
import { FleetServerStartError } from '../start-error.ts';
import { HttpError } from './http-error.ts';
import type { RouteImplementation } from './implement.ts';
import { createBearerCheck } from './internal/auth.ts';
import { commonImplementations } from './internal/common-handlers.ts';
import { compileRoute } from './internal/compile-route.ts';
import { DirectRoutes } from './internal/direct-routes.ts';
import { HostGuard } from './internal/host-guard.ts';
import { malformedPathError } from './internal/inputs.ts';
import { createMethodLookup } from './internal/method-lookup.ts';
import { createHttpMetrics } from './internal/metrics.ts';
import { ServerState } from './internal/request-scope.ts';
import { errorResult, type ServerLogger, toHttpError } from './internal/respond.ts';
import { type ListenAddress, type ListenOptions, listenNode, type NodeListener } from './listen.ts';
import { createOpenApiDocument } from './openapi.ts';

/** Options of {@link createFleetServer}. */
export interface FleetServerOptions {
  /** Service name, reported by `/health` and used as the OpenAPI title, e.g. `fleet-bus`. */
  service: string;
  /** Service version, reported by `/health` and the OpenAPI document. */
  version: string;
  /** The routes to serve (see `implement`); `/health`, `/openapi.json` and `/metrics` are added. */
  routes: RouteImplementation[];
  /**
   * Bearer tokens. When any is set, every route whose contract does not say `auth: false` needs
   * `Authorization: Bearer <one of them>` (401 otherwise). Blank entries are ignored.
   * @default []
   */
  tokens?: string[];
  /**
   * Without tokens, the names besides IP addresses, `localhost` and `*.localhost` that the routes
   * needing auth answer in the `Host` header (403 `host_not_allowed` otherwise), so that a web page
   * cannot reach a tokenless server by rebinding its own domain to its address. An entry is a name
   * (`bus.internal`), a leading dot for a domain and its subdomains (`.example.com`), or `*` for any
   * host. The name given to `listen({ host })` is allowed too. Ignored when there are tokens.
   * @default []
   */
  allowedHosts?: string[];
  /**
   * Largest request body accepted, in bytes; larger ones are refused with 413 `payload_too_large`.
   * @default 1048576
   */
  bodyLimitBytes?: number;
  /**
   * How long a request may take to arrive whole, request line, headers and body, in ms; one still
   * arriving then is answered 408 `request_timeout` and its connection closed. Only the request
   * counts: a long poll or an event stream may answer for as long as it takes.
   * @default 30000
   */
  requestTimeoutMs?: number;
  /**
   * How long the request line and headers may take to arrive, in ms (408 `request_timeout` after);
   * at most `requestTimeoutMs`.
   * @default 10000
   */
  headersTimeoutMs?: number;
  /** Extra `details` for `GET /health`; a throw answers 503 `unavailable`. */
  health?: () => Record<string, unknown> | Promise<Record<string, unknown>>;
  /**
   * Registers the service's own metrics (gauges with `collect` callbacks) on the server's private registry.
   * @example
   * metrics: (registry) => new Gauge({ name: 'queue_depth', help: '...', registers: [registry], collect() { ... } })
   */
  metrics?: (registry: Registry) => void;
  /** Runs once the server stopped accepting and in-flight requests finished, e.g. to close a store. */
  onClose?: () => Promise<void> | void;
  /** Where failures are reported; never given tokens or request bodies. @default silent */
  logger?: ServerLogger;
  /** How long `close()` waits for in-flight requests before destroying their connections, in ms. @default 10000 */
  shutdownTimeoutMs?: number;
  /**
   * Interval of the keepalive `ping` event on event streams, in ms. Fleet's clients take a stream silent
   * for 45 s (their `idleTimeoutMs`) as a lost connection: keep this well below that, or raise
   * theirs. @default 15000
   */
  sseKeepAliveMs?: number;
}

/** How long a request may take to arrive whole, in ms (`requestTimeoutMs`). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/** How long a request's line and headers may take to arrive, in ms (`headersTimeoutMs`). */
export const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;

/** The interval of the keepalive `ping` event on event streams, in ms (`sseKeepAliveMs`). */
export const DEFAULT_SSE_KEEPALIVE_MS = 15_000;

/** A Fleet HTTP server: the routes, the common endpoints, and its lifecycle. */
export interface FleetServer {
  /**
   * The underlying h3 app. Middleware added to it (`app.use`) runs for every request, which then all
   * go through h3: without any, node:http answers the JSON routes on fixed paths itself.
   */
  readonly app: H3;
  /** Handles a request in-process, without a socket (tests, embedding). */
  fetch(request: Request): Promise<Response>;
  /** The generated OpenAPI 3.1 document (built on first use, then cached). */
  openapi(): Record<string, unknown>;
  /**
   * Listens on node:http. Throws a `FleetServerStartError` when the address is in use, when already
   * listening or closed, or when binding beyond loopback without tokens and without `insecure`.
   */
  listen(options?: ListenOptions): Promise<ListenAddress>;
  /**
   * Stops accepting, aborts the signals of open requests and event streams, lets in-flight
   * requests finish (destroying what is left after `shutdownTimeoutMs`), closes idle keep-alive
   * connections, then runs `onClose`. Idempotent: every call returns the same promise.
   */
  close(): Promise<void>;
  /** On SIGTERM or SIGINT: `close()`, then exit (0, or 1 when closing failed). A second signal exits at once. */
  closeOnSignals(): void;
}

const silent: ServerLogger = { info() {}, warn() {}, error() {} };

/**
 * Creates a Fleet server from route implementations: validation, auth, error envelopes, body
 * limits, metrics, OpenAPI, event streams and graceful shutdown, shared by every Fleet service.
 *
 * @example
 * const server = createFleetServer({ service: 'fleet-bus', version, routes, tokens });
 * const { url } = await server.listen({ port: 8650 });
 * server.closeOnSignals();
 */
export function createFleetServer(options: FleetServerOptions): FleetServer {
  const { service, version } = options;
  const logger = options.logger ?? silent;
  const tokens = (options.tokens ?? []).filter((token) => token.trim() !== '');
  const bodyLimitBytes = options.bodyLimitBytes ?? 1024 * 1024;
  const allowedHosts = new HostGuard(options.allowedHosts ?? []);
  const hosts = tokens.length === 0 ? allowedHosts : undefined;
  const shutdownTimeoutMs = options.shutdownTimeoutMs ?? 10_000;
  if (!(bodyLimitBytes > 0)) throw new TypeError(`bodyLimitBytes must be a positive number, got ${bodyLimitBytes}`);
  const requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const headersTimeoutMs = Math.min(options.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS, requestTimeoutMs);
  if (!(requestTimeoutMs > 0) || !(headersTimeoutMs > 0)) {
    throw new TypeError(
      `requestTimeoutMs and headersTimeoutMs must be positive numbers, got ${requestTimeoutMs} and ${headersTimeoutMs}`,
    );
  }

  const state = new ServerState();
  const metrics = createHttpMetrics();
  options.metrics?.(metrics.registry);

  let document: Record<string, unknown> | undefined;
  const openapi = () => {
    document ??= createOpenApiDocument({
      title: service,
      version,
      routes: implementations.map((implementation) => implementation.route),
      // Documented for both modes (with tokens or without): only a server that allows every name never answers host_not_allowed.
      hostGuard: !allowedHosts.allowsAny,
    });
    return document;
  };
  const implementations = [
    ...commonImplementations({ service, version, health: options.health, registry: metrics.registry, openapi, logger }),
    ...options.routes,
  ];

  const app = new H3({
    silent: true,
    // Only what fails before a route runs (e.g. a malformed URL) gets here; routes answer their own errors.
    onError: (error, event) =>
      errorResult(
        error.status === 400
          ? malformedPathError(event.app?.['~findRoute'](event) ?? undefined, error)
          : toHttpError(error, logger, `${service} ${event.req.method} ${event.url.pathname}`),
      ),
  });
  const compiler = {
    service,
    app,
    state,
    metrics,
    bearer: createBearerCheck(tokens),
    hosts,
    bodyLimitBytes,
    sseKeepAliveMs: options.sseKeepAliveMs ?? DEFAULT_SSE_KEEPALIVE_MS,
    logger,
  };
  const registered: Array<{ method: string; path: string }> = [];
  const direct = new DirectRoutes();
  const seen = new Set<string>();
  for (const implementation of implementations) {
    const { method, path, kind } = implementation.route;
    const key = `${method} ${path}`;
    if (seen.has(key)) throw new TypeError(`${service}: route ${key} is implemented twice`);
    seen.add(key);
    const compiled = compileRoute(implementation, compiler);
    app.on(method, path, compiled.h3);
    registered.push({ method, path });
    if (compiled.direct) direct.add(method, path, compiled.direct);
    // HEAD answers like GET without a body (not for event streams, which would stay open unread).
    if (method === 'GET' && kind !== 'sse') {
      app.on('HEAD', path, compiled.h3);
      registered.push({ method: 'HEAD', path });
    }
  }
  app.all('/**', unmatched(registered, metrics.forRoute('*', 'unmatched')));

  let listener: NodeListener | undefined;
  let listening: Promise<ListenAddress> | undefined;
  let closing: Promise<void> | undefined;
  let signalsHooked = false;

  async function shutdown(): Promise<void> {
    state.close();
    const deadline = Date.now() + shutdownTimeoutMs;
    // A listen still in progress must finish before it can be stopped.
    await listening?.catch(() => {});
    const stopped = listener?.stop(deadline);
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      state.drained(),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
      }),
    ]);
    clearTimeout(timer);
    await stopped;
    if (state.inflight > 0) {
      logger.warn(`${service}: closed with ${state.inflight} request(s) still running after ${shutdownTimeoutMs} ms`);
    }
    await options.onClose?.();
  }

  const server: FleetServer = {
    app,
    fetch: async (request) => app.fetch(request),
    openapi,
    listen(listenOptions = {}) {
      if (closing) return Promise.reject(new FleetServerStartError(`${service}: the server is closed`));
      if (listening) return Promise.reject(new FleetServerStartError(`${service}: the server is already listening`));
      if (listenOptions.host !== undefined) hosts?.allowBound(listenOptions.host);
      listening = listenNode(
        direct.nodeHandler(toNodeHandler(app), app),
        listenOptions,
        tokens.length > 0,
        { bodyLimitBytes, requestTimeoutMs, headersTimeoutMs },
        (open) => logger.warn(`${service}: destroying ${open} connection(s) still busy after ${shutdownTimeoutMs} ms`),
      ).then((started) => {
        listener = started;
        return started.address;
      });
      // A failed listen may be retried.
      listening.catch(() => {
        listening = undefined;
      });
      return listening;
    },
    close() {
      closing ??= shutdown();
      return closing;
    },
    closeOnSignals() {
      if (signalsHooked) return;
      signalsHooked = true;
      const onSignal = (signal: NodeJS.Signals) => {
        logger.info(`${service}: ${signal} received, closing`);
        server.close().then(
          () => process.exit(0),
          (error: unknown) => {
            logger.error(`${service}: closing failed:`, error);
            process.exit(1);
          },
        );
      };
      process.once('SIGTERM', onSignal);
      process.once('SIGINT', onSignal);
    },
  };
  return server;
}

/** The catch-all route: 405 with `Allow` when the path exists under other methods, 404 otherwise. */
function unmatched(
  routes: ReadonlyArray<{ method: string; path: string }>,
  recorder: { record(status: number, seconds: number): void },
): (event: H3Event) => unknown {
  const lookup = createMethodLookup(routes);
  return (event) => {
    const start = performance.now();
    const { method } = event.req;
    const pathname = event.url.pathname;
    const allowed = lookup(pathname);
    const error =
      allowed.length > 0 && !allowed.includes(method)
        ? new HttpError(
            'method_not_allowed',
            `${method} is not allowed on ${pathname} (allowed: ${allowed.join(', ')})`,
            {
              headers: { allow: allowed.join(', ') },
              details: { allowed },
            },
          )
        : new HttpError('route_not_found', `No route for ${method} ${pathname}`);
    recorder.record(error.status, (performance.now() - start) / 1000);
    return errorResult(error);
  };
}
