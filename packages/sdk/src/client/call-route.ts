import type { RouteCallInput, RouteContract, RouteResponse } from '../contract/route.ts';
import { ResponseValidationError } from './errors.ts';
import type { CallOptions, HttpClient } from './http-client.ts';
import { formatIssues } from './internal/format-issues.ts';
import { type RouteCallParts, sendRequest } from './internal/send-request.ts';
import { toClientError } from './internal/to-client-error.ts';

/**
 * Calls one route of a Fleet API: builds the URL (path parameters, query string), sends the JSON
 * body, and parses the answer with the route's response schema.
 *
 * Throws a `FleetHttpError` for an error answer (from its envelope), a `FleetConnectionError` when
 * the server cannot be reached or does not answer in time, and a `ResponseValidationError` when a
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
  if (route.kind === 'sse') throw new TypeError(`${route.method} ${route.path} is an event stream: use streamRoute`);
  const { response, request } = await sendRequest(http, route, input as RouteCallParts, options);
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    throw await toClientError(error, {
      baseUrl: http.baseUrl,
      request,
      timeoutMs: options.timeoutMs ?? http.timeoutMs,
      signal: options.signal,
    });
  }
  let value: unknown = text;
  if ((route.kind ?? 'json') === 'json') {
    try {
      value = JSON.parse(text);
    } catch (cause) {
      throw new ResponseValidationError(request, response.status, `not JSON (${text.slice(0, 80)})`, [], cause);
    }
  }
  const result = route.response.safeParse(value);
  if (!result.success) {
    throw new ResponseValidationError(
      request,
      response.status,
      formatIssues(result.error.issues),
      result.error.issues,
      result.error,
    );
  }
  return result.data as RouteResponse<R>;
}
