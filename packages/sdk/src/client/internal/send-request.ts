import type { RetryOptions } from 'ky';
import type { RouteContract } from '../../contract/route.ts';
import type { CallOptions, HttpClient } from '../http-client.ts';
import { routeUrl } from '../route-url.ts';
import { secretsOf } from './client-secrets.ts';
import { type RequestDeadline, requestDeadline } from './request-deadline.ts';
import { retryAfterMs } from './retry-after.ts';
import { toClientError } from './to-client-error.ts';

/** The parts of a route call, loosely typed (the typed front is `RouteCallInput`). */
export interface RouteCallParts {
  params?: Record<string, unknown>;
  query?: Record<string, unknown>;
  body?: unknown;
}

/** A sent request whose answer was a success status; its body is still to be read. */
export interface SentRequest {
  response: Response;
  /** `METHOD url`, for error messages. */
  request: string;
  /**
   * Still running: read the body within it (`readBodyText` with its signal; pass
   * `deadline.timedOut` to `toClientError`), then `dispose()` it. A stream calls `stopTimer()` once open and `dispose()` when it ends.
   */
  deadline: RequestDeadline;
}

const ACCEPT = { json: 'application/json', text: 'text/plain', sse: 'text/event-stream' } as const;

/**
 * Sends one route call and returns the answer when its status is a success; anything else is
 * thrown as the client's error (FleetHttpError, FleetConnectionError, or the caller's abort reason).
 * The timeout covers the whole call, retries included, until the caller disposes the deadline.
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
  const endsAt = timeoutMs > 0 && Number.isFinite(timeoutMs) ? Date.now() + timeoutMs : Number.POSITIVE_INFINITY;
  const retry: RetryOptions = idempotent
    ? {
        limit: http.retry,
        methods: [route.method.toLowerCase()],
        // A server asking to be called again after the deadline (a 503 or 429 with `Retry-After`)
        // gets its answer thrown now, as a FleetHttpError with its code and details, rather than a
        // wait that ends in "no answer within ... ms".
        shouldRetry: ({ error }) => {
          const wait = retryAfterMs(error);
          return wait !== undefined && Date.now() + wait >= endsAt ? false : undefined;
        },
      }
    : { limit: 0 };
  const deadline = requestDeadline(timeoutMs, options.signal);
  try {
    const sending = http.ky(url, {
      method: route.method,
      headers: { accept: ACCEPT[route.kind ?? 'json'] },
      ...(route.body !== undefined && input.body !== undefined ? { json: input.body } : {}),
      // ky's timeout would stop at the headers: the deadline also covers the body.
      timeout: false,
      retry,
      signal: deadline.signal,
      // The signal handed to fetch itself: the one of ky's Request can be lost to the collector.
      fetch: (input, init) => http.fetch(input, { ...init, signal: deadline.signal }),
    });
    // Settles at the deadline even if fetch lost the abort; an answer arriving later is dropped.
    const response = await Promise.race([sending, deadline.expired]).catch((error: unknown) => {
      sending.then(
        (late) => late.body?.cancel().catch(() => undefined),
        () => undefined,
      );
      throw error;
    });
    return { response, request, deadline };
  } catch (error) {
    try {
      // An error answer's body is read here, still within the deadline.
      throw await toClientError(error, {
        baseUrl: http.baseUrl,
        request,
        timeoutMs,
        signal: options.signal,
        timedOut: deadline.timedOut,
        body: { signal: deadline.signal, maxBytes: http.maxResponseBytes },
        secrets: secretsOf(http.ky),
      });
    } finally {
      deadline.dispose();
    }
  }
}
