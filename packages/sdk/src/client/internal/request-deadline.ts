import { linkedAbort } from '../../internal/linked-abort.ts';

/** The abort signal of one route call: the caller's signal, plus the call's timeout. */
export interface RequestDeadline {
  /** Passed to ky (and so to fetch): aborting it ends the request and the reading of its body. */
  readonly signal: AbortSignal;
  /** Whether the timeout ran out (rather than the caller aborting). */
  readonly timedOut: boolean;
  /**
   * Rejects with the abort reason when `signal` aborts (never resolves). Race the wait for the
   * headers against it: fetch may lose an abort (see {@link requestDeadline}), this does not.
   */
  readonly expired: Promise<never>;
  /** Stops the timeout but keeps following the caller's signal: an event stream outlives the timeout. */
  stopTimer(): void;
  /** Stops the timeout and unlinks from the caller's signal; call once the body has been read. */
  dispose(): void;
}

/** The longest delay `setTimeout` takes (about 24.8 days). */
const MAX_TIMEOUT_MS = 2_147_483_647;

/**
 * A short-lived signal for one call, aborted by the caller's `signal` or after `timeoutMs` (none
 * when 0 or not finite). It stays armed until the body has been read: ky's own `timeout` stops
 * once the headers arrive, so a server that stalls mid-body would hold the call for ever.
 *
 * Linked by a listener, not `AbortSignal.any()`: ky combines the signal it is given, and combining
 * with a long-lived caller signal (a monitor's) leaks in Node 20 and 22 (nodejs/node#55351).
 *
 * The signal reaching fetch is not enough: undici's `Request` follows a signal through a link the
 * garbage collector drops (nodejs/undici#4068, nodejs/node#55428), after which an abort never
 * reaches the body. So the client also watches the signal itself: it races the headers against
 * `expired` and cancels its own reader of the body (readBodyText) when the signal aborts.
 */
export function requestDeadline(timeoutMs: number, caller?: AbortSignal): RequestDeadline {
  // setTimeout would fire at once for a longer delay.
  if (Number.isFinite(timeoutMs) && timeoutMs > MAX_TIMEOUT_MS)
    throw new RangeError(`timeoutMs cannot be greater than ${MAX_TIMEOUT_MS}`);
  const link = linkedAbort(caller);
  let timedOut = false;
  const expired = new Promise<never>((_, reject) => {
    link.signal.addEventListener('abort', () => reject(link.signal.reason), { once: true });
  });
  // Nobody may be waiting on it when the signal aborts.
  expired.catch(() => undefined);
  if (timeoutMs > 0 && Number.isFinite(timeoutMs) && !link.signal.aborted) {
    link.timeoutAfter(timeoutMs, `no answer within ${timeoutMs} ms`, () => {
      timedOut = true;
    });
  }
  return {
    signal: link.signal,
    get timedOut() {
      return timedOut;
    },
    expired,
    stopTimer: () => link.stopTimer(),
    dispose: () => link.dispose(),
  };
}
