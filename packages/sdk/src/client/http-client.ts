import ky, { type KyInstance } from 'ky';
import { tokenProblem, trimToken } from '../internal/token-value.ts';
import { redactUrl } from '../internal/url-credentials.ts';
import { assertSendableHeaders } from './internal/check-headers.ts';
import { headerSecrets, keepSecrets } from './internal/client-secrets.ts';

/** Options shared by every typed Fleet client. */
export interface HttpClientOptions {
  /**
   * Base URL of the server; route paths are appended to it. It may not carry credentials
   * (`http://user:pass@host` is refused), a query or a fragment (`?token=...` is refused): pass
   * `token` instead.
   * @example 'http://127.0.0.1:8650'
   */
  baseUrl: string;
  /**
   * Bearer token, sent as `Authorization: Bearer <token>` without the whitespace around it. One
   * with a control character (a line break) or a character beyond Latin-1 is refused with a
   * `TypeError` that does not repeat it. An error answer that repeats it (a proxy echoing the
   * request's headers) has it shown as `***` in the error.
   */
  token?: string | undefined;
  /**
   * How long a call may take, in milliseconds: from sending the request to the last byte of the
   * answer's body, retries included (an event stream is bounded by it until it opens, then by its
   * `idleTimeoutMs`). Past it the call throws a `FleetConnectionError` (`no answer within … ms`).
   * Long polls add their wait to it; 0 or Infinity: no limit.
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
  /**
   * Extra headers sent with every request. Like the token, the values of those named for credentials
   * (`Cookie`, `X-Api-Key`, any name with `auth`, `token`, `key`, `secret`, `password`, `session`...)
   * are shown as `***` wherever an error answer repeats them, and one a header cannot carry (a
   * control character such as a line break, a character beyond Latin-1) is refused with a
   * `TypeError` that names the header without repeating its value.
   * @example { 'x-trace-id': 'deploy-42' }
   */
  headers?: Record<string, string>;
  /**
   * The largest answer body the client reads, in bytes; past it the call throws a
   * `FleetConnectionError` (`answer larger than … bytes (maxResponseBytes)`) and the connection is
   * closed, so a server or peer streaming without end cannot fill this process's memory. For an
   * event stream it bounds each event (in characters of its text). An error answer's body is read
   * up to 1 MiB at most. A sync pull page is a few MiB at most (servers cut them at 4 MiB of values);
   * raise it for fact queries with a `limit` in the hundreds over values near their 256 KiB limit.
   * @default 67108864 (64 MiB)
   */
  maxResponseBytes?: number;
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
  /** The largest answer body read, in bytes (see {@link HttpClientOptions.maxResponseBytes}). */
  readonly maxResponseBytes: number;
  /**
   * The `fetch` requests are sent with; each call hands it its own signal directly, as the
   * signal a `Request` follows can be lost to garbage collection (nodejs/undici#4068).
   */
  readonly fetch: (input: Request | URL | string, init?: RequestInit) => Promise<Response>;
}

/** Per-call options of a route call (every typed client method takes them last). */
export interface CallOptions {
  /** Aborts the request; the abort reason is thrown as it is. */
  signal?: AbortSignal;
  /** Overrides the client's timeout for this call, body included (0 or Infinity: none). */
  timeoutMs?: number;
  /** Whether the call may be retried after a network error or a 5xx. @default true for GET, else false */
  idempotent?: boolean;
}

/** Default request timeout: 30 seconds. */
export const DEFAULT_TIMEOUT_MS = 30_000;

/** Default largest answer body: 64 MiB, far above a sync pull page (4 MiB of values at most). */
export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

/**
 * Prepares the transport a typed client sends its route calls through. Throws a `TypeError` for a
 * base URL that does not parse, is not `http:` or `https:`, or carries credentials, a query or a
 * fragment, and for a token or a header a request cannot carry (the message never repeats them).
 *
 * @example
 * ```ts
 * const http = createHttpClient({ baseUrl: 'http://127.0.0.1:8650', token: process.env.FLEET_BUS_TOKEN });
 * const stats = await callRoute(http, busRoutes.stats, {});
 * ```
 */
export function createHttpClient(options: HttpClientOptions): HttpClient {
  if (typeof options.baseUrl !== 'string') {
    throw new TypeError("baseUrl is required: the server's base URL, e.g. http://127.0.0.1:8650");
  }
  let url: URL;
  try {
    url = new URL(options.baseUrl);
  } catch (cause) {
    const shown = redactUrl(options.baseUrl);
    // URL's own error carries the input: keep it only when there was nothing to hide.
    throw new TypeError(`invalid base URL: ${shown}`, shown === options.baseUrl ? { cause } : {});
  }
  // fetch refuses such a URL with an error that repeats it, password included, into logs. An `@`
  // without user info is one too: a password with a `/`, `?` or `#` that was not percent-encoded
  // made the rest of it the host (`http://ops:12/x@host`, `http://ops:12#x@host`).
  if (url.username !== '' || url.password !== '' || url.href.includes('@')) {
    throw new TypeError('invalid base URL: credentials are not allowed in the URL; pass a token instead');
  }
  // Paths are appended to the base URL as text: after a query they would land in it, and the
  // query (a dashboard link's `?token=`) would be repeated in every error message.
  if (/[?#]/.test(url.href)) {
    throw new TypeError('invalid base URL: a query (?...) or fragment (#...) is not allowed; pass a token instead');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`invalid base URL: ${options.baseUrl} (expected http: or https:)`);
  }
  const maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  if (!(maxResponseBytes > 0)) throw new RangeError('maxResponseBytes must be a positive number of bytes');
  const headers: Record<string, string> = { ...options.headers };
  assertSendableHeaders(headers);
  if (options.token !== undefined && options.token !== '') {
    const problem = tokenProblem(options.token);
    if (problem) throw new TypeError(`invalid token: ${problem}; the token is not shown`);
    headers.authorization = `Bearer ${trimToken(options.token)}`;
  }
  const instance = ky.create({ headers, ...(options.fetch ? { fetch: options.fetch } : {}) });
  // An error answer that echoes the request's headers must not put the token into a message.
  keepSecrets(instance, headerSecrets(headers));
  return {
    ky: instance,
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    retry: options.retry ?? 2,
    maxResponseBytes,
    fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
  };
}
