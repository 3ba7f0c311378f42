import ky, { type KyInstance } from 'ky';

/** Options shared by every typed Fleet client. */
export interface HttpClientOptions {
  /**
   * Base URL of the server; route paths are appended to it.
   * @example 'http://127.0.0.1:8650'
   */
  baseUrl: string;
  /** Bearer token, sent as `Authorization: Bearer <token>`. */
  token?: string;
  /**
   * How long a request may wait for the server's answer, in milliseconds. Long polls add their
   * wait to it.
   * @default 30000
   */
  timeoutMs?: number;
  /**
   * How often an idempotent request (a GET) is retried after a network error or a 408, 429, 500,
   * 502, 503 or 504, with exponential backoff. Other requests are never retried.
   * @default 2
   */
  retry?: number;
  /**
   * The `fetch` to send requests with, e.g. one bound to a custom undici agent.
   * @default globalThis.fetch
   */
  fetch?: (input: Request | URL | string, init?: RequestInit) => Promise<Response>;
  /** Extra headers sent with every request. */
  headers?: Record<string, string>;
}

/** What {@link callRoute} and {@link streamRoute} need: a configured ky instance and the defaults. */
export interface HttpClient {
  /** The ky instance requests go through (auth header and `fetch` already set). */
  readonly ky: KyInstance;
  /** The base URL without a trailing slash. */
  readonly baseUrl: string;
  /** Default timeout in milliseconds. */
  readonly timeoutMs: number;
  /** Retries of idempotent requests. */
  readonly retry: number;
}

/** Per-call options of a route call (every typed client method takes them last). */
export interface CallOptions {
  /** Aborts the request; the abort reason is thrown as it is. */
  signal?: AbortSignal;
  /** Overrides the client's timeout for this call (0 or Infinity: none). */
  timeoutMs?: number;
  /** Whether the call may be retried after a network error or a 5xx. @default true for GET, else false */
  idempotent?: boolean;
}

/** Default request timeout: 30 seconds. */
export const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * Prepares the transport a typed client sends its route calls through.
 *
 * @example
 * ```ts
 * const http = createHttpClient({ baseUrl: 'http://127.0.0.1:8650', token: process.env.FLEET_BUS_TOKEN });
 * const stats = await callRoute(http, busRoutes.stats, {});
 * ```
 */
export function createHttpClient(options: HttpClientOptions): HttpClient {
  let url: URL;
  try {
    url = new URL(options.baseUrl);
  } catch (cause) {
    throw new TypeError(`invalid base URL: ${options.baseUrl}`, { cause });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`invalid base URL: ${options.baseUrl} (expected http: or https:)`);
  }
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined && options.token !== '') headers.authorization = `Bearer ${options.token}`;
  return {
    ky: ky.create({ headers, ...(options.fetch ? { fetch: options.fetch } : {}) }),
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    retry: options.retry ?? 2,
  };
}
