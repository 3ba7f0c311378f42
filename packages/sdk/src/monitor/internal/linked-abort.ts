/** An abort controller that also aborts when `parent` does, until disposed. */
export interface LinkedAbort {
  readonly signal: AbortSignal;
  /** Aborts with a `TimeoutError` after `ms` unless disposed first. */
  timeoutAfter(ms: number): void;
  /** Unlinks from the parent and clears the timer; call when the operation is over. */
  dispose(): void;
}

/**
 * A short-lived signal for one operation, aborted by its own timeout or by the monitor stopping.
 * Not `AbortSignal.any()`: combining with a long-lived signal (the monitor's, alive for days)
 * leaks every combined signal in Node 20 and 22 (nodejs/node#55351), and ky combines whatever
 * signal it is given, so only short-lived signals may reach fetch and the clients.
 */
export function linkedAbort(parent?: AbortSignal): LinkedAbort {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const onParentAbort = () => controller.abort(parent?.reason);
  if (parent?.aborted) controller.abort(parent.reason);
  else parent?.addEventListener('abort', onParentAbort, { once: true });
  return {
    signal: controller.signal,
    timeoutAfter(ms) {
      timer = setTimeout(() => controller.abort(new DOMException(`timed out after ${ms} ms`, 'TimeoutError')), ms);
      timer.unref();
    },
    dispose() {
      clearTimeout(timer);
      parent?.removeEventListener('abort', onParentAbort);
    },
  };
}
