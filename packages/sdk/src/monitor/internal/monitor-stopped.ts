/**
 * The reason the monitor's signal aborts with when it stops or closes. A check it cuts short (a
 * probe or a bus or knowledge read that was running, one still waiting for its slot) says nothing
 * about its target: it is dropped, never recorded as a failure.
 */
export const MONITOR_STOPPED = new DOMException('the fleet monitor stopped', 'AbortError');

/** Whether `signal` aborted because the monitor stopped (see {@link MONITOR_STOPPED}). */
export function stoppedBy(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true && signal.reason === MONITOR_STOPPED;
}
