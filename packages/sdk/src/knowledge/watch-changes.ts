import { boundedFeed } from '../internal/bounded-feed.ts';
import type { Change } from '../schemas/sync.ts';

/** What {@link watchChanges} listens to: a `KnowledgeDB`, or anything with its `onChange`. */
export interface ChangeSource {
  /** Calls `listener` after each committed change; returns the unsubscribe function. */
  onChange(listener: (change: Change) => void): () => void;
}

/** Options of {@link watchChanges}. */
export interface WatchChangesOptions {
  /** Only changes to keys starting with this. @default '' (every change) */
  prefix?: string;
  /** Ends the iteration and stops listening. */
  signal?: AbortSignal;
  /** Changes buffered for a slow reader before the iteration fails instead of growing without bound. @default 10000 */
  maxBuffered?: number;
  /**
   * Bytes of changes buffered for a slow reader before the iteration fails: each is held as its
   * JSON in UTF-8 (the measure of the store's value limit) and counted as such. A value may be
   * 256 KiB, so {@link maxBuffered} changes alone could hold gigabytes. A single larger change is
   * still buffered when nothing else is.
   * @default 16777216 (16 MiB)
   */
  maxBufferedBytes?: number;
}

/**
 * Every change (local write or applied remote change, tombstones included) to a key under
 * `prefix` from now on, as an async iterable: the knowledge server's `/watch` route.
 *
 * Listening starts when this is called, not on the first `next()`, so no change committed after
 * the call is missed. It stops when `signal` aborts or the iteration ends; a reader that falls
 * more than `maxBuffered` changes or `maxBufferedBytes` of changes behind has the buffered ones
 * dropped at once and gets a `FleetError('unavailable')` on its next read, and none of the changes
 * after them.
 *
 * @example
 * ```ts
 * for await (const change of watchChanges(db, { prefix: 'hosts/', signal })) console.log(change.key);
 * ```
 */
export function watchChanges(
  source: ChangeSource,
  options: WatchChangesOptions = {},
): AsyncGenerator<Change, void, undefined> {
  const { prefix = '', signal, maxBuffered = 10_000, maxBufferedBytes = 16 * 1024 * 1024 } = options;
  return boundedFeed<Change>(
    (push) =>
      source.onChange((change) => {
        if (change.key.startsWith(prefix)) push(change);
      }),
    {
      signal,
      maxItems: maxBuffered,
      itemsName: 'changes',
      maxBytes: maxBufferedBytes,
      behind: (limit) => `watch of "${prefix}" fell more than ${limit} behind`,
    },
  );
}
