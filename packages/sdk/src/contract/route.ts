import type { z } from 'zod';
import type { ErrorCode } from '../schemas/error.ts';

/** HTTP methods Fleet routes use. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/**
 * One route of a Fleet HTTP API, described once and shared by the server that implements it,
 * the client that calls it and the OpenAPI document generated from it.
 */
export interface RouteContract {
  /** HTTP method. */
  readonly method: HttpMethod;
  /**
   * Path with `:name` parameters (one segment each), e.g. `/deadletter/:id`, and at most one
   * catch-all `**:name` at the end, whose value is the rest of the path, `/` included
   * (e.g. `/facts/**:key` matches `/facts/hosts/ezra`).
   */
  readonly path: string;
  /** One line for the OpenAPI document. */
  readonly summary: string;
  /** Schema of the path parameters. */
  readonly params?: z.ZodType;
  /** Schema of the query string (values arrive as strings; use coercing schemas for numbers). */
  readonly query?: z.ZodType;
  /** Schema of the JSON request body. */
  readonly body?: z.ZodType;
  /**
   * Request headers the route's handler reads itself (besides `Authorization` and
   * `Content-Type`, which the plumbing handles), documented as header parameters.
   * @default []
   */
  readonly requestHeaders?: readonly RouteHeader[];
  /**
   * Schema of a JSON body that a route without `body` reads itself from `ctx.rawBody()` (e.g. to
   * check a signature over its exact bytes before parsing them): documented as the request body,
   * with the codes of a bad body, but neither read nor validated by the plumbing.
   */
  readonly documentedBody?: z.ZodType;
  /** Schema of the JSON response body; for `kind: 'sse'` the schema of each event's data. */
  readonly response: z.ZodType;
  /** Status of a successful answer. @default 200 */
  readonly status?: number;
  /**
   * A `GET` that changes what is stored (the old bus's poll removes what it returns). Such a route,
   * like every `POST`, `PUT` and `DELETE`, refuses a request a browser sends on another site's
   * behalf (`cross_site_request`). @default false
   */
  readonly changesState?: boolean;
  /** Whether the route needs a bearer token when the server has any. @default true */
  readonly auth?: boolean;
  /**
   * How a route with `auth: false` authenticates a request itself, as the end of the sentence
   * "Auth: ..." in the reference (e.g. a webhook's signature). Documented as `x-fleet-auth`.
   * @example 'the HMAC-SHA256 signature of the exact body, in `X-Hub-Signature-256`, always.'
   */
  readonly authentication?: string;
  /** How the response is encoded. @default 'json' */
  readonly kind?: 'json' | 'sse' | 'text';
  /**
   * The media type of a `kind: 'text'` answer, as `/openapi.json` documents it.
   * @default 'text/plain'
   * @example 'text/html'
   */
  readonly contentType?: string;
  /**
   * A redirect the route answers with instead of its success in some case, documented as a
   * response of its own with a `Location` header (and the other headers named).
   * @example { status: 303, description: 'Opened with ?token=: sets the session cookie and redirects to the page without it', headers: ['set-cookie'] }
   */
  readonly redirect?: RouteRedirect;
  /**
   * The route answers conditional requests: its success carries an `ETag`, and a request whose
   * `If-None-Match` names the current one is answered `304 Not Modified`, without a body, with the
   * same `ETag`. Documented as the `If-None-Match` header parameter, the `etag` header of the
   * success and a `304` response of its own.
   * @example { description: 'The status is still the one whose ETag If-None-Match names' }
   */
  readonly notModified?: RouteNotModified;
  /**
   * Codes among `errors` that the route answers with an HTML page (`text/html`) instead of the
   * error envelope: the refusals of a page a browser opens, which show the reader what happened.
   * The page's root element carries the code in `data-code`.
   * @default []
   */
  readonly htmlErrors?: readonly ErrorCode[];
  /**
   * The error codes the route's handler may answer with, besides those of the shared plumbing
   * (validation, auth, body limits), which `/openapi.json` adds on its own.
   * @default []
   * @example ['receipt_unknown', 'receipt_expired']
   */
  readonly errors?: readonly ErrorCode[];
  /**
   * What an error code means on this route, where the shared description does not fit (a webhook's
   * `unauthorized` is about its signature, not a bearer token); shown in `/openapi.json` and the
   * HTTP API reference.
   * @example { unauthorized: 'The signature header is missing or wrong.' }
   */
  readonly errorDescriptions?: Readonly<Partial<Record<ErrorCode, string>>>;
  /**
   * A request that passes the route's schemas, shown in `/openapi.json` and the HTTP API reference
   * (`docs/http-api.md`). Without one, the reference builds an example from the schemas.
   * @example { body: { agent: 'coder', waitSeconds: 20 } }
   */
  readonly example?: RouteExample;
}

/** A redirect a route may answer with (see {@link RouteContract.redirect}). */
export interface RouteRedirect {
  /** The redirect's status. */
  readonly status: 301 | 302 | 303 | 307 | 308;
  /** When and where it redirects. */
  readonly description: string;
  /** Headers it sends besides `Location`, lower case. @default [] */
  readonly headers?: readonly string[];
}

/** The `304 Not Modified` a route answers a conditional request with (see {@link RouteContract.notModified}). */
export interface RouteNotModified {
  /** When the answer is `304`. */
  readonly description: string;
}

/** A request header a route reads (see {@link RouteContract.requestHeaders}). */
export interface RouteHeader {
  /** The header's name as documented, e.g. `X-GitHub-Event`. */
  readonly name: string;
  /** What it carries. */
  readonly description: string;
  /** Whether every request must send it. @default false */
  readonly required?: boolean;
  /** A value for the reference's example request; headers without one are left out of it. */
  readonly example?: string;
  /**
   * The header carries the HMAC-SHA256 (lowercase hex) of the exact request body with a shared
   * secret, after this prefix (`'sha256='` for GitHub, `''` for Gitea): the reference's example
   * computes it with `openssl`. Documented as `x-fleet-hmac-sha256-prefix`.
   */
  readonly hmacSha256Prefix?: string;
}

/** An example request of a route: its path parameters, query parameters and JSON body. */
export interface RouteExample {
  /** Path parameter values, by name. */
  readonly params?: Readonly<Record<string, string>>;
  /** Query parameter values, by name. */
  readonly query?: Readonly<Record<string, string | number | boolean>>;
  /** The JSON body. */
  readonly body?: unknown;
}

/** Declares a route contract, keeping its literal types. */
export function defineRoute<const T extends RouteContract>(route: T): T {
  return route;
}

type Infer<S> = S extends z.ZodType ? z.infer<S> : undefined;
type InferIn<S> = S extends z.ZodType ? z.input<S> : undefined;

/** The validated inputs a handler of route `R` receives. */
export interface RouteInput<R extends RouteContract> {
  params: Infer<R['params']>;
  query: Infer<R['query']>;
  body: Infer<R['body']>;
}

/** The inputs a client passes to call route `R` (before defaults are applied). */
export type RouteCallInput<R extends RouteContract> = {
  [K in 'params' | 'query' | 'body' as R[K] extends z.ZodType ? K : never]: InferIn<R[K]>;
};

/** The response of route `R`. */
export type RouteResponse<R extends RouteContract> = z.infer<R['response']>;
