import type { RetryOptions } from 'ky';
import type { RouteContract } from '../../contract/route.ts';
import type { CallOptions, HttpClient } from '../http-client.ts';
import { routeUrl } from '../route-url.ts';
import { toClientError } from './to-client-error.ts';

/** The parts of a route call, loosely typed (the typed front is `RouteCallInput`). */
export interface RouteCallParts {
  params?: Record<string, unknown>;
  query?: Record<string, unknown>;
  body?: unknown;
}

/** A sent request whose answer was a success status. */
export interface SentRequest {
  response: Response;
  /** `METHOD url`, for error messages. */
  request: string;
}

const ACCEPT = { json: 'application/json', text: 'text/plain', sse: 'text/event-stream' } as const;

/**
 * Sends one route call and returns the answer when its status is a success; anything else is
 * thrown as the client's error (FleetHttpError, FleetConnectionError, or the caller's abort reason).
 */
export async function sendRequest(
  http: HttpClient,
  route: RouteContract,
  input: RouteCallParts,
  options: CallOptions = {},
): Promise<SentRequest> {
  const url = routeUrl(http.baseUrl, route, {
    ...(input.params ? { params: input.params } : {}),
    ...(input.query ? { query: input.query } : {}),
  });
  const request = `${route.method} ${url}`;
  const timeoutMs = options.timeoutMs ?? http.timeoutMs;
  const idempotent = options.idempotent ?? route.method === 'GET';
  const retry: RetryOptions = idempotent ? { limit: http.retry, methods: [route.method.toLowerCase()] } : { limit: 0 };
  try {
    const response = await http.ky(url, {
      method: route.method,
      headers: { accept: ACCEPT[route.kind ?? 'json'] },
      ...(route.body !== undefined && input.body !== undefined ? { json: input.body } : {}),
      timeout: timeoutMs > 0 && Number.isFinite(timeoutMs) ? timeoutMs : false,
      retry,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return { response, request };
  } catch (error) {
    throw await toClientError(error, { baseUrl: http.baseUrl, request, timeoutMs, signal: options.signal });
  }
}
