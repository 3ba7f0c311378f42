import { FleetError } from '../errors.ts';

/** Options of {@link boundedFeed}. */
export interface BoundedFeedOptions<T> {
  /** Ends the feed. */
  signal?: AbortSignal | undefined;
  /** Items held for a reader that does not keep up before the feed fails. */
  maxItems: number;
  /** What `maxItems` counts, for the error: `changes`, `messages`. */
  itemsName: string;
  /** Bytes (as `sizeOf` measures them) held before the feed fails; one larger item alone is still held. */
  maxBytes: number;
  /** What holding an item costs, measured once when it arrives. */
  sizeOf: (item: T) => number;
  /** The error's message once the reader fell behind by `limit` (e.g. `10000 messages`). */
  behind: (limit: string) => string;
}

/**
 * The items `subscribe` pushes, from the moment this is called (not the first `next()`: nothing
 * pushed after the call is missed), as an async generator for one reader. What the reader has not
 * taken yet is held up to `maxItems` items and `maxBytes` bytes; past either, the reader gets what
 * was held, then `FleetError('unavailable')`, and nothing pushed after the first item dropped (no
 * item reaches it past a gap). Ends when `signal` aborts or the iteration ends (also by `return()`
 * before the first `next()`), unsubscribing.
 */
export function boundedFeed<T>(
  subscribe: (push: (item: T) => void) => () => void,
  options: BoundedFeedOptions<T>,
): AsyncGenerator<T, void, undefined> {
  const { signal, maxItems, maxBytes, sizeOf } = options;
  const held: { item: T; bytes: number }[] = [];
  let heldBytes = 0;
  let wake: (() => void) | undefined;
  let overflow: string | undefined;
  let stopped = false;

  const unsubscribe = subscribe((item) => {
    if (overflow !== undefined || stopped) return;
    const bytes = sizeOf(item);
    if (held.length >= maxItems) overflow = `${maxItems} ${options.itemsName}`;
    else if (held.length > 0 && heldBytes + bytes > maxBytes) overflow = `${maxBytes} bytes`;
    else {
      held.push({ item, bytes });
      heldBytes += bytes;
    }
    wake?.();
  });
  const onAbort = () => stop();
  function stop(): void {
    if (stopped) return;
    stopped = true;
    unsubscribe();
    signal?.removeEventListener('abort', onAbort);
    wake?.();
  }
  if (signal?.aborted) stop();
  else signal?.addEventListener('abort', onAbort, { once: true });

  const feed = (async function* feed() {
    try {
      while (!stopped) {
        const next = held.shift();
        if (next) {
          heldBytes -= next.bytes;
          yield next.item;
          continue;
        }
        if (overflow !== undefined) throw new FleetError('unavailable', options.behind(overflow));
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
  const { return: end, throw: fail } = feed;
  feed.return = (value) => {
    stop();
    return end.call(feed, value);
  };
  feed.throw = (error) => {
    stop();
    return fail.call(feed, error);
  };
  return feed;
}
