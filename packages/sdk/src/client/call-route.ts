import type { RouteCallInput, RouteContract, RouteResponse } from '../contract/route.ts';
import { readBodyText } from '../internal/read-body.ts';
import { ResponseValidationError } from './errors.ts';
import type { CallOptions, HttpClient } from './http-client.ts';
import { secretsOf } from './internal/client-secrets.ts';
import { type RouteCallParts, sendRequest } from './internal/send-request.ts';
import { toClientError } from './internal/to-client-error.ts';
import { parseAnswer } from './parse-answer.ts';

/**
 * Calls one route of a Fleet API: builds the URL (path parameters, query string), sends the JSON
 * body, and parses the answer with the route's response schema.
 *
 * Throws a `FleetHttpError` for an error answer (from its envelope), a `FleetConnectionError` when
 * the server cannot be reached, does not answer in time or answers with a body larger than the
 * client's `maxResponseBytes`, and a `ResponseValidationError` when a
 * success answer does not match the contract. The input is not validated here: the server does
 * that and answers `validation_failed`.
 *
 * @example
 * ```ts
 * const http = createHttpClient({ baseUrl: 'http://127.0.0.1:8650' });
 * const { deliveries } = await callRoute(http, busRoutes.receive, { body: { agent: 'worker' } });
 * ```
 */
export async function callRoute<R extends RouteContract>(
  http: HttpClient,
  route: R,
  input: RouteCallInput<R>,
  options: CallOptions = {},
): Promise<RouteResponse<R>> {
  const answer = await callRouteText(http, route, input, options);
  // A quoted body that repeats the client's own credentials shows them as `***`.
  const parsed = parseAnswer(route, answer.text, secretsOf(http.ky));
  if (!parsed.ok) {
    throw new ResponseValidationError(answer.request, answer.status, parsed.problem, parsed.issues, parsed.cause);
  }
  return parsed.value;
}

/** A success answer's body as text, before it is parsed. */
export interface RouteAnswerText {
  text: string;
  status: number;
  /** `METHOD url`, for error messages. */
  request: string;
}

/**
 * Like {@link callRoute}, but resolves with the body as text, unparsed: for callers that decode
 * it elsewhere (the sync engine parses large pages in a worker thread, with `parseAnswer`).
 * Errors are the same as callRoute's, except that the body is not validated.
 */
export async function callRouteText<R extends RouteContract>(
  http: HttpClient,
  route: R,
  input: RouteCallInput<R>,
  options: CallOptions = {},
): Promise<RouteAnswerText> {
  if (route.kind === 'sse') throw new TypeError(`${route.method} ${route.path} is an event stream: use streamRoute`);
  const { response, request, deadline } = await sendRequest(http, route, input as RouteCallParts, options);
  try {
    const text = await readBodyText(response, { signal: deadline.signal, maxBytes: http.maxResponseBytes });
    return { text, status: response.status, request };
  } catch (error) {
    throw await toClientError(error, {
      baseUrl: http.baseUrl,
      request,
      timeoutMs: options.timeoutMs ?? http.timeoutMs,
      signal: options.signal,
      timedOut: deadline.timedOut,
    });
  } finally {
    deadline.dispose();
  }
}
