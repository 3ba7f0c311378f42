import { linkedAbort } from '../../internal/linked-abort.ts';
import type { ConcurrencyLimiter } from './concurrency-limiter.ts';
import { type ProbeOutcome, type ProbeSettings, probeHttp } from './http-probe.ts';
import type { TargetRuntime } from './target-runtime.ts';

/** How many of the target's timeouts the backlog or sync read of a check may take at most. */
const READER_BUDGET_TIMEOUTS = 2;

/**
 * One check of a target within the concurrency limits: the health probe, then (for `bus` and
 * `knowledge` targets) the backlog or sync read in the same slot, so a host is never asked more
 * than its share at once. Never throws: failures are in the outcome or the reader's `error`.
 */
export function checkTarget(
  runtime: TargetRuntime,
  limiter: ConcurrencyLimiter,
  settings: ProbeSettings,
): Promise<ProbeOutcome> {
  return limiter.run(runtime.resolved.target.host, async () => {
    // One short-lived signal per check, linked to the monitor's (see linkedAbort).
    const abort = linkedAbort(settings.signal);
    try {
      const outcome = await probeHttp(runtime.resolved, { ...settings, signal: abort.signal });
      // The reader's client has the target's timeout; this bounds the read even if that fails to
      // hold, so a check (and the monitor's stop) can never wait on a reader for ever.
      abort.timeoutAfter(READER_BUDGET_TIMEOUTS * runtime.resolved.timeoutMs);
      await runtime.reader?.read(settings.now, abort.signal);
      return outcome;
    } finally {
      abort.dispose();
    }
  });
}

/**
 * Marks `check` as the target's running probe until it settles (so the target is never probed
 * twice at once), passes the outcome to `accept`, and resolves with it.
 */
export async function trackCheck(
  runtime: TargetRuntime,
  check: Promise<ProbeOutcome>,
  accept: (outcome: ProbeOutcome) => void,
): Promise<ProbeOutcome> {
  runtime.inflight = check;
  try {
    const outcome = await check;
    accept(outcome);
    return outcome;
  } finally {
    runtime.inflight = null;
  }
}
