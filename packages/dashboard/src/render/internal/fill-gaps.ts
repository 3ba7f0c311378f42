import type { HistoryBucket } from '@fleet/sdk';

const STEP_MS: Partial<Record<HistoryBucket['resolution'], number>> = { '5m': 300_000, '1d': 86_400_000 };

/** At most this many buckets are added (8 days of 5-minute buckets fit): a bound on the work, not a limit met in use. */
const MAX_FILLED = 2304;

/**
 * The history with an empty bucket (`checks: 0`, drawn as "no probes") wherever a 5-minute or
 * daily bucket is missing after the first one, up to the last bucket over by `untilMs`. The monitor
 * leaves out buckets without probes, so a bar drawn from the rest alone would close up a gap in
 * monitoring (the fleet stopped for an hour) as if it had been up. Raw results are kept as they are.
 */
export function fillGaps(history: readonly HistoryBucket[], untilMs: number): HistoryBucket[] {
  const first = history[0];
  const step = first && STEP_MS[first.resolution];
  if (!first || !step) return [...history];
  const filled: HistoryBucket[] = [];
  let next = Date.parse(first.start);
  const empty = (startMs: number): HistoryBucket => ({
    start: new Date(startMs).toISOString(),
    resolution: first.resolution,
    checks: 0,
    ok: 0,
    p50Ms: null,
    p95Ms: null,
    maxMs: null,
  });
  let added = 0;
  const fillTo = (endMs: number) => {
    for (; next < endMs && added < MAX_FILLED; next += step, added++) filled.push(empty(next));
  };
  for (const bucket of history) {
    const start = Date.parse(bucket.start);
    fillTo(start);
    filled.push(bucket);
    next = Math.max(next, start + step);
  }
  // The bucket in progress at `untilMs` is not missing yet: its probes may still come.
  fillTo(untilMs - step + 1);
  return filled;
}
