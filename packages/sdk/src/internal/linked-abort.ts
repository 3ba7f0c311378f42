/** An abort controller that also aborts when `parent` does, until disposed. */
export interface LinkedAbort {
  readonly signal: AbortSignal;
  /**
   * Aborts with a `TimeoutError` (`message`, default `timed out after <ms> ms`) after `ms` unless
   * disposed or stopped first; `onTimeout` runs just before.
   */
  timeoutAfter(ms: number, message?: string, onTimeout?: () => void): void;
  /** Clears the timer but keeps following the parent. */
  stopTimer(): void;
  /** Unlinks from the parent and clears the timer; call when the operation is over. */
  dispose(): void;
}

/**
 * A short-lived signal for one operation (a probe, a client call), aborted by its own timeout or
 * by its parent (the monitor stopping, the caller's signal). Not `AbortSignal.any()`: combining
 * with a long-lived signal (the monitor's, alive for days) leaks every combined signal in Node 20
 * and 22 (nodejs/node#55351), and ky combines whatever signal it is given, so only short-lived
 * signals may reach fetch and the clients.
 */
export function linkedAbort(parent?: AbortSignal): LinkedAbort {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const onParentAbort = () => controller.abort(parent?.reason);
  if (parent?.aborted) controller.abort(parent.reason);
  else parent?.addEventListener('abort', onParentAbort, { once: true });
  return {
    signal: controller.signal,
    timeoutAfter(ms, message = `timed out after ${ms} ms`, onTimeout) {
      timer = setTimeout(() => {
        onTimeout?.();
        controller.abort(new DOMException(message, 'TimeoutError'));
      }, ms);
      timer.unref();
    },
    stopTimer() {
      clearTimeout(timer);
    },
    dispose() {
      clearTimeout(timer);
      parent?.removeEventListener('abort', onParentAbort);
    },
  };
}
