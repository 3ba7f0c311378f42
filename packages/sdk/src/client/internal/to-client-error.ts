import { isHTTPError, isTimeoutError } from 'ky';
import { knownNetworkReason } from '../../internal/network-error.ts';
import { type BodyLimits, BodyTooLargeError, readBodyText } from '../../internal/read-body.ts';
import { redact, redactDeep } from '../../internal/redact.ts';
import { ErrorCode, ErrorEnvelope, errorCodeOf } from '../../schemas/error.ts';
import { FleetConnectionError, FleetHttpError } from '../errors.ts';
import { answerRetryAfterMs } from './retry-after.ts';

/** The most of an error answer's body read: an envelope is a few hundred bytes. */
const MAX_ERROR_BODY_BYTES = 1024 * 1024;

/**
 * The {@link FleetHttpError} of a Fleet error envelope (an answer's, or an event stream's `error`
 * event), the client's own credentials it repeats as `***`. A code this SDK does not know becomes
 * `unknownCode` (what the status stands for), and `serverCode` keeps the server's.
 */
export function envelopeError(
  status: number,
  envelope: ErrorEnvelope,
  request: string,
  secrets: readonly string[],
  unknownCode: ErrorCode,
  retryAfterMs?: number,
): FleetHttpError {
  const { code, message, details } = envelope.error;
  const known = ErrorCode.safeParse(code);
  return new FleetHttpError(status, known.success ? known.data : unknownCode, redact(message, secrets), {
    ...(details !== undefined ? { details: redactDeep(details, secrets) } : {}),
    ...(known.success ? {} : { serverCode: code }),
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    request,
  });
}

/**
 * Turns an error answer into a {@link FleetHttpError}, from its envelope when it has one. Its body
 * is read within `body` (at most 1 MiB); one that cannot be read leaves the status alone to speak.
 * The `secrets` the request sent (its token, its headers) are shown as `***` in the message and
 * details, should the answer repeat them. The wait its `Retry-After` asks for becomes `retryAfterMs`.
 */
export async function httpErrorFrom(
  response: Response,
  request: string,
  body: BodyLimits = { signal: new AbortController().signal, maxBytes: MAX_ERROR_BODY_BYTES },
  secrets: readonly string[] = [],
): Promise<FleetHttpError> {
  let tooLarge = false;
  const limits = { signal: body.signal, maxBytes: Math.min(body.maxBytes, MAX_ERROR_BODY_BYTES) };
  const text = await readBodyText(response, limits).catch((error: unknown) => {
    tooLarge = error instanceof BodyTooLargeError;
    return '';
  });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const retryAfterMs = answerRetryAfterMs(response);
  const envelope = ErrorEnvelope.safeParse(json);
  if (envelope.success) {
    return envelopeError(response.status, envelope.data, request, secrets, errorCodeOf(response.status), retryAfterMs);
  }
  const statusLine = `${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
  // Redacted before the cut, which could otherwise keep the start of a secret.
  const snippet = tooLarge
    ? `a body larger than ${limits.maxBytes} bytes, not read`
    : redact(text.trim(), secrets).slice(0, 200);
  return new FleetHttpError(
    response.status,
    errorCodeOf(response.status),
    redact(`${request} failed with HTTP ${statusLine}${snippet ? `: ${snippet}` : ''}`, secrets),
    { request, fromEnvelope: false, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) },
  );
}

function isAbort(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'AbortError';
}

/**
 * Maps what `ky` (or reading the body) threw into the error a client reports: an error answer to a
 * {@link FleetHttpError} (async, the body is read), a network failure or timeout to a
 * {@link FleetConnectionError}. The caller's own abort is passed through unchanged.
 */
export async function toClientError(
  error: unknown,
  context: {
    baseUrl: string;
    request: string;
    timeoutMs: number;
    signal?: AbortSignal | undefined;
    /** The call's deadline ran out (see requestDeadline): whatever was thrown, it is a timeout. */
    timedOut?: boolean;
    /** What bounds the reading of an error answer's body: the call's deadline and size limit. */
    body?: BodyLimits;
    /** Values the request sent that the error may not show (see httpErrorFrom). */
    secrets?: readonly string[];
  },
): Promise<unknown> {
  if (isHTTPError(error)) return httpErrorFrom(error.response, context.request, context.body, context.secrets);
  if (error instanceof BodyTooLargeError) {
    return new FleetConnectionError(context.baseUrl, `answer larger than ${error.maxBytes} bytes (maxResponseBytes)`, {
      cause: error,
    });
  }
  if (context.signal?.aborted) return context.signal.reason ?? error;
  if (context.timedOut || isTimeoutError(error)) {
    return new FleetConnectionError(context.baseUrl, `no answer within ${context.timeoutMs} ms`, { cause: error });
  }
  if (isAbort(error)) return error;
  // undici reports network failures as a TypeError whose cause is the socket error.
  if (error instanceof TypeError && error.cause !== undefined) {
    const cause = error.cause as { message?: unknown } | undefined;
    const reason =
      knownNetworkReason(error.cause) ??
      (typeof cause?.message === 'string' && cause.message !== '' ? cause.message : error.message);
    return new FleetConnectionError(context.baseUrl, reason, { cause: error });
  }
  return error;
}
