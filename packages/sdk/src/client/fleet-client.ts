import { commonRoutes } from '../contract/common-routes.ts';
import type { Health } from '../schemas/health.ts';
import { callRoute } from './call-route.ts';
import { type CallOptions, createHttpClient, type HttpClient, type HttpClientOptions } from './http-client.ts';

/** Options of every typed Fleet client: those of the transport, with the server's URL. */
export interface FleetClientOptions extends Omit<HttpClientOptions, 'baseUrl'> {
  /**
   * Base URL of the server.
   * @example 'http://127.0.0.1:8650'
   */
  url: string;
}

/**
 * What every typed Fleet client shares: the transport and the routes every Fleet server serves
 * (`/health`, `/metrics`, `/openapi.json`). `BusClient` and `KnowledgeClient` extend it with one
 * method per route of their contract.
 */
export class FleetClient {
  /** The transport, for calling routes directly with `callRoute`. */
  readonly http: HttpClient;

  constructor(options: FleetClientOptions) {
    const { url, ...rest } = options;
    if (typeof url !== 'string') {
      throw new TypeError("url is required: the server's base URL, e.g. http://127.0.0.1:8650");
    }
    this.http = createHttpClient({ ...rest, baseUrl: url });
  }

  /** The server's base URL, without a trailing slash. */
  get url(): string {
    return this.http.baseUrl;
  }

  /** Liveness and version (needs no token). */
  health(options?: CallOptions): Promise<Health> {
    return callRoute(this.http, commonRoutes.health, {}, options);
  }

  /** The Prometheus metrics, in the text exposition format. */
  metrics(options?: CallOptions): Promise<string> {
    return callRoute(this.http, commonRoutes.metrics, {}, options);
  }

  /** The server's OpenAPI 3.1 document. */
  openapi(options?: CallOptions): Promise<Record<string, unknown>> {
    return callRoute(this.http, commonRoutes.openapi, {}, options);
  }
}
