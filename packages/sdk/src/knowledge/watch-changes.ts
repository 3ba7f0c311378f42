import { FleetError } from '../errors.ts';
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
}

/**
 * Every change (local write or applied remote change, tombstones included) to a key under
 * `prefix` from now on, as an async iterable: the knowledge server's `/watch` route.
 *
 * Listening starts when this is called, not on the first `next()`, so no change committed after
 * the call is missed. It stops when `signal` aborts or the iteration ends; a reader that falls
 * more than `maxBuffered` changes behind gets a `FleetError('unavailable')` after the buffered ones.
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
  const { prefix = '', signal, maxBuffered = 10_000 } = options;
  const buffer: Change[] = [];
  let wake: (() => void) | undefined;
  let overflow = false;
  let stopped = false;

  const unsubscribe = source.onChange((change) => {
    if (!change.key.startsWith(prefix)) return;
    if (buffer.length >= maxBuffered) overflow = true;
    else buffer.push(change);
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

  return (async function* changes() {
    try {
      while (!stopped) {
        const next = buffer.shift();
        if (next) {
          yield next;
          continue;
        }
        if (overflow) {
          throw new FleetError('unavailable', `watch of "${prefix}" fell more than ${maxBuffered} changes behind`);
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
}
