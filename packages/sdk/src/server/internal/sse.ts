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
 * Most bytes handed to the consumer at once: an event larger than this goes out in slices, one per
 * read, so a reader that takes a large event slowly still shows progress every slice.
 */
const SLICE_BYTES = 64 * 1024;

/** Keepalive intervals a backed-up stream may go without its reader taking anything before it is cut off. */
const STALLED_INTERVALS = 4;

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
  /** Interval of the `ping` events, in milliseconds; also the unit in which a stalled reader is detected. */
  keepAliveMs: number;
  /** Maps an error thrown by the source to the envelope sent as a final `event: error`. */
  toError: (error: unknown) => HttpError;
  /** Called once when the source is over (ended, failed, aborted, or its reader cut off). */
  onEnd: () => void;
  /**
   * Keepalive intervals in a row in which the stream has bytes waiting and its reader takes none
   * before the stream is cut off: the body errors, which closes the connection.
   * @default 4
   */
  stalledIntervals?: number;
}

/**
 * Streams an async iterable as Server-Sent Events: each item as `event: message` with its JSON as
 * `data` (an object item serialized once however many streams send it: items are not to be changed
 * once yielded), a comment first so the client gets the headers at once, and a `ping` event on an
 * interval while nothing waits to be taken.
 *
 * Items are taken from the source only as the consumer reads (a source holding what a slow reader
 * has not taken, as the bus's and knowledge's bounded feeds do, bounds what the stream holds), and
 * at most one event is held here. A consumer that takes nothing for `stalledIntervals` keepalive
 * intervals while bytes wait for it is cut off: the body errors (node:http closes the connection)
 * and everything the stream held is released. Ends when the source ends (after its last events are
 * taken), the client disconnects or the controller aborts.
 */
export function eventStreamResult(source: AsyncIterable<unknown>, options: EventStreamOptions): HTTPResponse {
  const { controller, keepAliveMs, stalledIntervals = STALLED_INTERVALS } = options;
  const signal = controller.signal;
  let iterator: AsyncIterator<unknown> | undefined;
  let stream: ReadableStreamDefaultController<Uint8Array> | undefined;
  let keepAlive: ReturnType<typeof setInterval> | undefined;
  /** The event being handed out, and how much of it was. */
  let pending: Uint8Array | undefined;
  let offset = 0;
  let sourceOver = false;
  let bodyOver = false;
  /** Resumes a read waiting on the source when the source ends. */
  let wakeRead: (() => void) | undefined;
  let reads = 0;
  let readsAtTick = 0;
  let desiredAtTick: number | null = null;
  /** A read waits on the source: the consumer asked for more and nothing is at hand. */
  let awaitingSource = false;
  let stalledTicks = 0;

  const endSource = () => {
    if (sourceOver) return;
    sourceOver = true;
    signal.removeEventListener('abort', endSource);
    if (!signal.aborted) controller.abort();
    wakeRead?.();
    // Lets a generator run its `finally`; one stuck in an await notices the aborted signal instead.
    const it = iterator;
    if (it?.return)
      Promise.resolve()
        .then(() => it.return?.())
        .catch(() => {});
    options.onEnd();
  };

  /** Closes the body once everything was handed out (what is still queued is delivered first). */
  const endBody = () => {
    if (bodyOver) return;
    bodyOver = true;
    pending = undefined;
    endSource();
    try {
      stream?.close();
    } catch {
      // Already closed or cancelled by the consumer.
    }
  };

  /** Hands the next slice of the pending event to the consumer; false when none is left. */
  const handOut = (c: ReadableStreamDefaultController<Uint8Array>): boolean => {
    if (!pending) return false;
    const end = Math.min(offset + SLICE_BYTES, pending.byteLength);
    c.enqueue(offset === 0 && end === pending.byteLength ? pending : pending.subarray(offset, end));
    offset = end;
    if (offset === pending.byteLength) pending = undefined;
    return true;
  };

  const queue = (event: Uint8Array) => {
    pending = event;
    offset = 0;
  };

  const tick = (c: ReadableStreamDefaultController<Uint8Array>) => {
    // With a high-water mark of 0, a negative desired size is chunks the consumer has not taken.
    const desired = c.desiredSize;
    // Errored, or closed with nothing left to take: nothing to watch any more.
    if (desired === null || (bodyOver && desired >= 0)) return clearInterval(keepAlive);
    if (awaitingSource && desired >= 0) {
      // The consumer asked for more and the source has nothing: a quiet stream, not a backed-up one.
      stalledTicks = 0;
      c.enqueue(KEEPALIVE);
    } else {
      // Backed up: chunks wait, or the consumer has not asked for more. Once the body is closed
      // there are no reads, but every chunk taken raises the desired size.
      const progressed = reads !== readsAtTick || desired !== desiredAtTick;
      stalledTicks = progressed ? 0 : stalledTicks + 1;
      if (stalledTicks >= stalledIntervals) return cut(c);
    }
    readsAtTick = reads;
    desiredAtTick = c.desiredSize;
  };

  /** Cuts off a stalled consumer: erroring the body drops what it queued and closes the connection. */
  const cut = (c: ReadableStreamDefaultController<Uint8Array>) => {
    clearInterval(keepAlive);
    bodyOver = true;
    pending = undefined;
    endSource();
    c.error(new Error('event stream reader stalled: cut off'));
  };

  const body = new ReadableStream<Uint8Array>(
    {
      start(c) {
        stream = c;
        c.enqueue(OPENED);
        desiredAtTick = c.desiredSize;
        keepAlive = setInterval(() => tick(c), keepAliveMs);
        keepAlive.unref?.();
        if (signal.aborted) return endSource();
        signal.addEventListener('abort', endSource, { once: true });
      },
      async pull(c) {
        reads += 1;
        if (bodyOver || handOut(c)) return;
        if (sourceOver) return endBody();
        try {
          iterator ??= source[Symbol.asyncIterator]();
          const nextItem = iterator.next();
          // A source that fails after the stream ended must not leave an unhandled rejection.
          nextItem.catch(() => {});
          awaitingSource = true;
          const next = await Promise.race([
            nextItem,
            new Promise<undefined>((resolve) => {
              wakeRead = () => resolve(undefined);
            }),
          ]).finally(() => {
            awaitingSource = false;
            wakeRead = undefined;
          });
          if (bodyOver) return;
          if (next === undefined || next.done || sourceOver) return endBody();
          queue(messageEvent(next.value));
        } catch (error) {
          if (bodyOver) return;
          if (sourceOver) return endBody();
          queue(encoder.encode(`event: error\ndata: ${JSON.stringify(options.toError(error).toJSON())}\n\n`));
          endSource();
        }
        handOut(c);
      },
      cancel() {
        clearInterval(keepAlive);
        endBody();
      },
    },
    // Nothing is taken from the source before the consumer asks: what a slow reader has not taken
    // stays in the source, where it is bounded.
    { highWaterMark: 0 },
  );
  return new HTTPResponse(body, { status: 200, headers: SSE_HEADERS });
}
