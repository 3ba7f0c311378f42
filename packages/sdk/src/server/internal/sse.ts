import { HTTPResponse } from 'h3';
import type { HttpError } from '../http-error.ts';

const encoder = new TextEncoder();
const OPENED = encoder.encode(': connected\n\n');
// An event, not a comment: a browser's EventSource dispatches nothing for a comment, so a page could
// not tell a quiet stream from a dead connection. Fleet's clients skip every event but `message`.
const KEEPALIVE = encoder.encode('event: ping\ndata: {}\n\n');
const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  'x-accel-buffering': 'no',
} as const;

/**
 * The encoded `message` event of each object item, kept while the item lives: a source that hands
 * one object to every subscriber (the dashboard's overview, some 300 KB per update) has it
 * serialized and encoded once, not once per open stream, and every stream queues the same bytes.
 */
const encodedItems = new WeakMap<object, Uint8Array>();

/** The `event: message` block of `value`, from {@link encodedItems} when it is an object. */
function messageEvent(value: unknown): Uint8Array {
  const shared = typeof value === 'object' && value !== null;
  const cached = shared ? encodedItems.get(value) : undefined;
  if (cached) return cached;
  const bytes = encoder.encode(`event: message\ndata: ${JSON.stringify(value ?? null)}\n\n`);
  if (shared) encodedItems.set(value, bytes);
  return bytes;
}

/** How an event stream is run. */
export interface EventStreamOptions {
  /** Aborted when the stream ends for any reason; its abort (client gone, server closing) ends the stream. */
  controller: AbortController;
  /** Interval of the `ping` events, in milliseconds. */
  keepAliveMs: number;
  /** Maps an error thrown by the source to the envelope sent as a final `event: error`. */
  toError: (error: unknown) => HttpError;
  /** Called once when the stream is over. */
  onEnd: () => void;
}

/**
 * Streams an async iterable as Server-Sent Events: each item as `event: message` with its JSON as
 * `data` (an object item serialized once however many streams send it: items are not to be changed
 * once yielded), a comment first so the client gets the headers at once, and a `ping` event on an
 * interval. Ends when the source ends, the client disconnects or the controller aborts.
 */
export function eventStreamResult(source: AsyncIterable<unknown>, options: EventStreamOptions): HTTPResponse {
  const { controller, keepAliveMs } = options;
  const signal = controller.signal;
  let iterator: AsyncIterator<unknown> | undefined;
  let stream: ReadableStreamDefaultController<Uint8Array> | undefined;
  let keepAlive: ReturnType<typeof setInterval> | undefined;
  let finished = false;

  const finish = () => {
    if (finished) return;
    finished = true;
    clearInterval(keepAlive);
    signal.removeEventListener('abort', finish);
    if (!signal.aborted) controller.abort();
    try {
      stream?.close();
    } catch {
      // Already closed or cancelled by the consumer.
    }
    // Lets a generator run its `finally`; one stuck in an await notices the aborted signal instead.
    const it = iterator;
    if (it?.return)
      Promise.resolve()
        .then(() => it.return?.())
        .catch(() => {});
    options.onEnd();
  };

  const body = new ReadableStream<Uint8Array>({
    start(c) {
      stream = c;
      c.enqueue(OPENED);
      if (signal.aborted) return finish();
      signal.addEventListener('abort', finish, { once: true });
      keepAlive = setInterval(() => {
        if (!finished) c.enqueue(KEEPALIVE);
      }, keepAliveMs);
      keepAlive.unref?.();
    },
    async pull(c) {
      if (finished) return;
      try {
        iterator ??= source[Symbol.asyncIterator]();
        const next = await iterator.next();
        if (finished) return;
        if (next.done) return finish();
        c.enqueue(messageEvent(next.value));
      } catch (error) {
        if (finished) return;
        c.enqueue(encoder.encode(`event: error\ndata: ${JSON.stringify(options.toError(error).toJSON())}\n\n`));
        finish();
      }
    },
    cancel() {
      finish();
    },
  });
  return new HTTPResponse(body, { status: 200, headers: SSE_HEADERS });
}
