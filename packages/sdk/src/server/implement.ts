import type { H3Event } from 'h3';
import type { EncodedJson } from '../contract/encoded-json.ts';
import type { RouteContract, RouteInput, RouteResponse } from '../contract/route.ts';

/** What a handler of route `R` receives: the validated inputs, the h3 event and an abort signal. */
export interface RouteContext<R extends RouteContract> extends RouteInput<R> {
  /**
   * The request's method: the route's own, or `HEAD` when the server answers a HEAD request with a
   * GET route's handler (whose body it then drops). Reading it costs nothing; reading `event` on a
   * route served straight from node:http builds an h3 event.
   */
  method: string;
  /** The h3 event, for headers or anything the contract does not cover. */
  event: H3Event;
  /**
   * Aborts when the client disconnects or the server starts closing. Long-running handlers
   * (long polls, event streams) should stop waiting when it fires.
   */
  signal: AbortSignal;
  /**
   * The request body's exact bytes, read within the server's body limit (413 `payload_too_large`
   * beyond it; 415 for a `Content-Encoding` other than `identity`), for a route whose contract has a
   * `documentedBody` instead of a `body` schema: e.g. to check a signature over the bytes before
   * parsing them. Empty on every other route: the plumbing read the body (a route without either
   * accepts no body but `{}`).
   */
  rawBody(): Promise<Uint8Array>;
}

/** What a route may answer: the response, or for a JSON route the response already encoded as JSON text. */
export type RouteResult<R extends RouteContract> = R['kind'] extends 'text'
  ? RouteResponse<R>
  : RouteResponse<R> | EncodedJson<RouteResponse<R>>;

/**
 * The function implementing route `R`: returns the response (or a promise of it; an
 * `EncodedJson` of it is sent as is), or for `kind: 'sse'` an async iterable whose items are sent
 * as `event: message` events. Throw a `FleetError` or an `HttpError` to answer with an error envelope.
 */
export type RouteHandler<R extends RouteContract> = (
  ctx: RouteContext<R>,
) => R['kind'] extends 'sse' ? AsyncIterable<RouteResponse<R>> : RouteResult<R> | Promise<RouteResult<R>>;

/** A route contract bound to its handler, ready for `createFleetServer({ routes })`. */
export interface RouteImplementation {
  /** The contract the handler implements. */
  readonly route: RouteContract;
  /** The handler, with its input types erased. */
  readonly handler: (ctx: RouteContext<RouteContract>) => unknown;
}

/**
 * Binds a handler to a route contract. The handler's `params`, `query` and `body` are typed
 * from the contract's schemas and arrive validated.
 *
 * @example
 * implement(busRoutes.deadLetter, async ({ params }) => {
 *   const deadLetter = await store.deadLetter(params.id);
 *   if (!deadLetter) throw new FleetError('not_found', `no dead letter with id ${params.id}`);
 *   return deadLetter;
 * });
 */
export function implement<R extends RouteContract>(route: R, handler: RouteHandler<R>): RouteImplementation {
  return { route, handler: handler as unknown as RouteImplementation['handler'] };
}
