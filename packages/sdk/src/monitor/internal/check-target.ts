import { linkedAbort } from '../../internal/linked-abort.ts';
import type { ConcurrencyLimiter } from './concurrency-limiter.ts';
import { type ProbeOutcome, type ProbeSettings, probeHttp } from './http-probe.ts';
import { stoppedBy } from './monitor-stopped.ts';
import type { TargetRuntime } from './target-runtime.ts';

/** How many of the target's timeouts the backlog or sync read of a check may take at most. */
const READER_BUDGET_TIMEOUTS = 2;

/**
 * One check of a target within the concurrency limits: the health probe, whose outcome goes to
 * `probed` at once (so a slow read never delays a result or a state change), then (for `bus`
 * and `knowledge` targets) the backlog or sync read in the same slot, so a host is never asked
 * more than its share at once. Resolves with the outcome once the read is over too. Never throws
 * (unless `probed` does): failures are in the outcome or the reader's `error`.
 */
export function checkTarget(
  runtime: TargetRuntime,
  limiter: ConcurrencyLimiter,
  settings: ProbeSettings,
  probed: (outcome: ProbeOutcome) => void,
): Promise<ProbeOutcome> {
  // Before the queue: many targets on one slow host wait their turn, which is no gap in monitoring.
  const askedAtMs = settings.now();
  return limiter.run(runtime.resolved.target.host, async () => {
    // One short-lived signal per check, linked to the monitor's (see linkedAbort).
    const abort = linkedAbort(settings.signal);
    try {
      const outcome = { ...(await probeHttp(runtime.resolved, { ...settings, signal: abort.signal })), askedAtMs };
      // Cut short by the monitor's stop: it says nothing about the target, nor about its queues.
      if (stoppedBy(settings.signal)) return outcome;
      probed(outcome);
      const { reader } = runtime;
      if (!reader) return outcome;
      // A target that gave its probe no answer would not answer the read either: asking anyway
      // would make the check last a second timeout, as long as an interval at the largest timeout.
      if (outcome.result.status === null) {
        reader.skip(outcome.result.error ?? 'no answer');
        return outcome;
      }
      // The reader's client has the target's timeout; this bounds the read even if that fails to
      // hold, so a check (and the monitor's stop) can never wait on a reader for ever.
      abort.timeoutAfter(READER_BUDGET_TIMEOUTS * runtime.resolved.timeoutMs);
      await reader.read(settings.now, abort.signal);
      return outcome;
    } finally {
      abort.dispose();
    }
  });
}

/**
 * Marks `check` as the target's running check until it settles (so the target is never probed
 * twice at once, nor while its read runs), and resolves with its outcome (none: a stop dropped it
 * before it started).
 */
export async function trackCheck(
  runtime: TargetRuntime,
  check: Promise<ProbeOutcome | undefined>,
): Promise<ProbeOutcome | undefined> {
  runtime.inflight = check;
  try {
    return await check;
  } finally {
    // A stop may have let a newer check take its place meanwhile.
    if (runtime.inflight === check) runtime.inflight = null;
  }
}
