import { FleetError } from '../errors.ts';
import { jsonBytesOf, parseJsonBytes } from './json-bytes.ts';

/** Options of {@link boundedFeed}. */
export interface BoundedFeedOptions {
  /** Ends the feed. */
  signal?: AbortSignal | undefined;
  /** Items held for a reader that does not keep up before the feed fails. */
  maxItems: number;
  /** What `maxItems` counts, for the error: `changes`, `messages`. */
  itemsName: string;
  /** Bytes of items held (their JSON in UTF-8, which is what is held) before the feed fails; one larger item alone is still held. */
  maxBytes: number;
  /** The error's message once the reader fell behind by `limit` (e.g. `10000 messages`). */
  behind: (limit: string) => string;
}

/** An item the reader has not taken: its JSON, and the item itself for as long as something else keeps it. */
interface Held<T extends object> {
  json: Uint8Array;
  item: WeakRef<T>;
}

/**
 * The items `subscribe` pushes, from the moment this is called (not the first `next()`: nothing
 * pushed after the call is missed), as an async generator for one reader.
 *
 * What the reader has not taken yet is held as its JSON bytes, not as the item: an object takes
 * several times its JSON in memory (an array of `{}` some 14 times), so counting JSON while holding
 * objects would let a stalled reader pin far more than `maxBytes`. Up to `maxItems` items and
 * `maxBytes` bytes are held; past either, what was held is dropped at once, listening stops, and the
 * reader's next read throws `FleetError('unavailable')` (no item reaches it past a gap). The reader
 * gets the item pushed while something else still keeps it (the source, another feed), else an
 * equal one decoded from the JSON. Ends when `signal` aborts or the iteration ends (also by
 * `return()` before the first `next()`), unsubscribing.
 */
export function boundedFeed<T extends object>(
  subscribe: (push: (item: T) => void) => () => void,
  options: BoundedFeedOptions,
): AsyncGenerator<T, void, undefined> {
  const { signal, maxItems, maxBytes } = options;
  let held: Held<T>[] = [];
  let heldBytes = 0;
  let wake: (() => void) | undefined;
  let overflow: string | undefined;
  let listening = true;
  let stopped = false;

  const unsubscribe = subscribe((item) => {
    if (!listening) return;
    if (held.length >= maxItems) return fail(`${maxItems} ${options.itemsName}`);
    const json = jsonBytesOf(item);
    if (held.length > 0 && heldBytes + json.byteLength > maxBytes) return fail(`${maxBytes} bytes`);
    held.push({ json, item: new WeakRef(item) });
    heldBytes += json.byteLength;
    wake?.();
  });
  function stopListening(): void {
    if (!listening) return;
    listening = false;
    unsubscribe();
    signal?.removeEventListener('abort', onAbort);
  }
  function fail(limit: string): void {
    overflow = limit;
    held = [];
    heldBytes = 0;
    stopListening();
    wake?.();
  }
  const onAbort = () => stop();
  function stop(): void {
    if (stopped) return;
    stopped = true;
    held = [];
    heldBytes = 0;
    stopListening();
    wake?.();
  }
  if (signal?.aborted) stop();
  else signal?.addEventListener('abort', onAbort, { once: true });

  const feed = (async function* feed() {
    try {
      while (!stopped) {
        if (overflow !== undefined) throw new FleetError('unavailable', options.behind(overflow));
        const next = held.shift();
        if (next) {
          heldBytes -= next.json.byteLength;
          yield next.item.deref() ?? parseJsonBytes<T>(next.json);
          continue;
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
      }
    } finally {
      stop();
    }
  })();
  // A generator ended before its first next() never runs its body, so its finally never stops the
  // subscription made above: ending it stops the subscription first.
  const { return: end, throw: raise } = feed;
  feed.return = (value) => {
    stop();
    return end.call(feed, value);
  };
  feed.throw = (error) => {
    stop();
    return raise.call(feed, error);
  };
  return feed;
}
