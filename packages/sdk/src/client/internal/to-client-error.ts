import { isHTTPError, isTimeoutError } from 'ky';
import { ErrorCode, ErrorEnvelope } from '../../schemas/error.ts';
import { FleetConnectionError, FleetHttpError } from '../errors.ts';

/** Node's (undici's) error codes, in words. */
const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
  EPIPE: 'connection closed',
  UND_ERR_SOCKET: 'connection closed by the server',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  UND_ERR_HEADERS_TIMEOUT: 'no answer in time',
  UND_ERR_BODY_TIMEOUT: 'answer stalled',
  CERT_HAS_EXPIRED: 'TLS certificate has expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed TLS certificate',
};

/** The code a status implies when the answer carried no (known) envelope code. */
function codeForStatus(status: number): ErrorCode {
  switch (status) {
    case 400:
      return 'validation_failed';
    case 401:
    case 403:
      return 'unauthorized';
    case 404:
      return 'not_found';
    case 405:
      return 'method_not_allowed';
    case 409:
      return 'conflict';
    case 413:
      return 'payload_too_large';
    case 415:
      return 'unsupported_media_type';
    case 502:
    case 503:
    case 504:
      return 'unavailable';
    default:
      return 'internal';
  }
}

/** Turns an error answer into a {@link FleetHttpError}, from its envelope when it has one. */
export async function httpErrorFrom(response: Response, request: string): Promise<FleetHttpError> {
  const text = await response.text().catch(() => '');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const envelope = ErrorEnvelope.safeParse(json);
  if (envelope.success) {
    const { code, message, details } = envelope.data.error;
    const known = ErrorCode.safeParse(code);
    return new FleetHttpError(response.status, known.success ? known.data : codeForStatus(response.status), message, {
      ...(details !== undefined ? { details } : {}),
      request,
    });
  }
  const statusLine = `${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
  const snippet = text.trim().slice(0, 200);
  return new FleetHttpError(
    response.status,
    codeForStatus(response.status),
    `${request} failed with HTTP ${statusLine}${snippet ? `: ${snippet}` : ''}`,
    { request },
  );
}

/** The underlying Node error code of a failed `fetch`, if any. */
function networkCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    const errors = (current as { errors?: unknown }).errors;
    current = Array.isArray(errors) && errors.length > 0 ? errors[0] : (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function isAbort(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'AbortError';
}

/**
 * Maps what `ky` threw into the error a client reports: an error answer to a {@link FleetHttpError}
 * (async, the body is read), a network failure or timeout to a {@link FleetConnectionError}.
 * The caller's own abort is passed through unchanged.
 */
export async function toClientError(
  error: unknown,
  context: { baseUrl: string; request: string; timeoutMs: number; signal?: AbortSignal | undefined },
): Promise<unknown> {
  if (isHTTPError(error)) return httpErrorFrom(error.response, context.request);
  if (context.signal?.aborted || isAbort(error)) return context.signal?.reason ?? error;
  if (isTimeoutError(error)) {
    return new FleetConnectionError(context.baseUrl, `no answer within ${context.timeoutMs} ms`, { cause: error });
  }
  // undici reports network failures as a TypeError whose cause is the socket error.
  if (error instanceof TypeError && error.cause !== undefined) {
    const code = networkCode(error.cause);
    const cause = error.cause as { message?: unknown } | undefined;
    const reason =
      (code !== undefined ? NETWORK_REASONS[code] : undefined) ??
      (typeof cause?.message === 'string' && cause.message !== '' ? cause.message : error.message);
    return new FleetConnectionError(context.baseUrl, reason, { cause: error });
  }
  return error;
}
