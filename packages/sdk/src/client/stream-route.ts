import type { RouteCallInput, RouteContract, RouteResponse } from '../contract/route.ts';
import { redact } from '../internal/redact.ts';
import { ErrorEnvelope } from '../schemas/error.ts';
import { FleetConnectionError, ResponseValidationError } from './errors.ts';
import type { HttpClient } from './http-client.ts';
import { secretsOf } from './internal/client-secrets.ts';
import { type RouteCallParts, sendRequest } from './internal/send-request.ts';
import { envelopeError, toClientError } from './internal/to-client-error.ts';
import { parseAnswer } from './parse-answer.ts';
import { type SseEvent, SseParser } from './sse-parser.ts';

/** Options of {@link streamRoute}. */
export interface StreamOptions {
  /** Ends the stream: the iteration finishes without an error. */
  signal?: AbortSignal;
  /**
   * How long to wait for the server to accept the stream (its answer's headers), in milliseconds;
   * once open, `idleTimeoutMs` applies instead. @default the client's timeout
   */
  timeoutMs?: number;
  /** Called once the server has accepted the stream (from then on, new events are delivered). */
  onOpen?: () => void;
  /**
   * How long the open stream may stay silent, in milliseconds, before it counts as dead and the
   * iteration throws a `FleetConnectionError`: Fleet's servers send a keep-alive comment every 15 s,
   * so silence means a connection lost without being closed (a host or a network gone). `0` waits
   * for ever. @default 45000
   */
  idleTimeoutMs?: number;
}

/** Three keep-alive periods of Fleet's servers (15 s). */
const DEFAULT_IDLE_TIMEOUT_MS = 45_000;

/** Reads the next chunk, or resolves `undefined` when nothing arrived within `idleMs` (0: no limit). */
async function readWithin<T>(
  reader: ReadableStreamDefaultReader<T>,
  idleMs: number,
): Promise<ReadableStreamReadResult<T> | undefined> {
  if (idleMs <= 0) return reader.read();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const silent = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), idleMs);
  });
  try {
    return await Promise.race([reader.read(), silent]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Opens a `kind: 'sse'` route and yields the data of each `message` event, parsed with the route's
 * response schema. An `error` event carrying an error envelope is thrown as a `FleetHttpError`;
 * other event types and comments (keep-alives) are skipped. The iteration ends when the server
 * closes the stream, when `signal` aborts, or when the consumer breaks out of its loop; it throws a
 * `FleetConnectionError` when the stream stays silent longer than `idleTimeoutMs`.
 *
 * @example
 * ```ts
 * for await (const message of streamRoute(http, busRoutes.stream, { query: { agent: 'worker' } }, { signal })) {
 *   console.log(message.type);
 * }
 * ```
 */
export async function* streamRoute<R extends RouteContract>(
  http: HttpClient,
  route: R,
  input: RouteCallInput<R>,
  options: StreamOptions = {},
): AsyncGenerator<RouteResponse<R>, void, undefined> {
  const { signal } = options;
  const idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  if (signal?.aborted) return;
  let sent: Awaited<ReturnType<typeof sendRequest>>;
  try {
    sent = await sendRequest(http, route, input as RouteCallParts, {
      idempotent: false,
      ...(signal ? { signal } : {}),
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    });
  } catch (error) {
    if (signal?.aborted) return;
    throw error;
  }
  const { response, request, deadline } = sent;
  // Open: from now on idleTimeoutMs watches the stream, and only the caller's signal ends it.
  deadline.stopTimer();
  if (!response.body) {
    deadline.dispose();
    return;
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  const parser = new SseParser({ maxEventLength: http.maxResponseBytes });
  const secrets = secretsOf(http.ky);
  // Our own end of the stream: fetch may have lost the signal to the garbage collector.
  const onAbort = () => void reader.cancel().catch(() => undefined);
  deadline.signal.addEventListener('abort', onAbort, { once: true });
  try {
    // Inside the try: an onOpen that throws ends the stream like a loop body that throws.
    options.onOpen?.();
    for (;;) {
      let chunk: ReadableStreamReadResult<string> | undefined;
      try {
        chunk = await readWithin(reader, idleTimeoutMs);
      } catch (error) {
        if (signal?.aborted) return;
        throw await toClientError(error, { baseUrl: http.baseUrl, request, timeoutMs: http.timeoutMs, signal });
      }
      if (chunk === undefined) {
        if (signal?.aborted) return;
        throw new FleetConnectionError(http.baseUrl, `the event stream was silent for ${idleTimeoutMs} ms`);
      }
      if (chunk.done) return;
      let events: SseEvent[];
      try {
        events = parser.push(chunk.value);
      } catch (error) {
        // The parser's only error: an event longer than maxEventLength.
        if (!(error instanceof RangeError)) throw error;
        const reason = `event larger than ${http.maxResponseBytes} characters (maxResponseBytes)`;
        throw new FleetConnectionError(http.baseUrl, reason, { cause: error });
      }
      for (const event of events) {
        if (event.event === 'error') throw streamError(event.data, response.status, request, secrets);
        if (event.event !== 'message') continue;
        yield parseEventData(route, event.data, response.status, request, secrets) as RouteResponse<R>;
        if (signal?.aborted) return;
      }
    }
  } finally {
    // Closes the connection when the consumer stops early; harmless once the stream has ended.
    deadline.signal.removeEventListener('abort', onAbort);
    reader.cancel().catch(() => undefined);
    deadline.dispose();
  }
}

/** One event's data, JSON validated with the route's response schema (the schema of one event). */
function parseEventData(
  route: RouteContract,
  data: string,
  status: number,
  request: string,
  secrets: readonly string[],
): unknown {
  const parsed = parseAnswer(route, data, secrets, true);
  if (parsed.ok) return parsed.value;
  const problem = parsed.issues.length === 0 ? `event data is ${parsed.problem}` : parsed.problem;
  throw new ResponseValidationError(request, status, problem, parsed.issues, parsed.cause);
}

/** The error an `error` event reports; the client's own credentials it repeats are `***`. */
function streamError(data: string, status: number, request: string, secrets: readonly string[]): Error {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    value = undefined;
  }
  const envelope = ErrorEnvelope.safeParse(value);
  if (!envelope.success)
    return new ResponseValidationError(
      request,
      status,
      `malformed error event (${redact(data, secrets).slice(0, 80)})`,
    );
  return envelopeError(status, envelope.data, request, secrets, 'internal');
}
