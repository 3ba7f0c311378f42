import type { HistoryBucket, HistoryResolution } from '../../schemas/monitor.ts';

/** Reads a target's history over `[fromMs, toMs)` at `resolution`. */
export type ReadHistory = (
  fromMs: number,
  toMs: number,
  resolution: HistoryResolution,
) => Promise<readonly HistoryBucket[]>;

/** The history of a period, and whether some of it is coarser than the period's edges. */
export interface HistoryInPeriod {
  history: HistoryBucket[];
  /**
   * A day bucket at an edge of the period was kept whole, probes from outside the period
   * included, because the monitor no longer keeps its 5-minute buckets (30 days).
   */
  partial: boolean;
}

/** How long a bucket of each resolution spans (a raw bucket is one probe, at its start). */
const SPAN_MS: Record<HistoryResolution, number> = { raw: 0, '5m': 5 * 60_000, '1d': 86_400_000 };

/** The next finer resolution of each. */
const FINER: Record<Exclude<HistoryResolution, 'raw'>, HistoryResolution> = { '5m': 'raw', '1d': '5m' };

/**
 * The buckets of `history` that hold only probes made in `[sinceMs, untilMs)`, so that uptime is
 * good probes over the probes made in the period. The monitor returns every bucket that overlaps
 * a range, so a bucket at either edge also holds probes from before or after it: such a bucket is
 * replaced by its 5-minute buckets (kept 30 days) for a day, or its raw probes (kept 48 hours)
 * for five minutes, asked for explicitly, of which those in the period are kept.
 *
 * When the finer history no longer covers the bucket's part in the period: a 5-minute bucket is
 * left out (a probe outside the period is never counted, at the cost of at most five minutes of
 * probes inside it); a day bucket is kept whole, probes outside the period included, and the
 * result is `partial`, rather than losing up to a day of probes in the period.
 */
export async function historyInPeriod(
  history: readonly HistoryBucket[],
  sinceMs: number,
  untilMs: number,
  read: ReadHistory,
): Promise<HistoryInPeriod> {
  const parts = await Promise.all(history.map((bucket) => bucketInPeriod(bucket, sinceMs, untilMs, read)));
  return { history: parts.flatMap((part) => part.history), partial: parts.some((part) => part.partial) };
}

async function bucketInPeriod(
  bucket: HistoryBucket,
  sinceMs: number,
  untilMs: number,
  read: ReadHistory,
): Promise<HistoryInPeriod> {
  const startMs = Date.parse(bucket.start);
  const endMs = startMs + SPAN_MS[bucket.resolution];
  const whole = { history: [bucket], partial: false };
  const none = { history: [], partial: false };
  if (bucket.resolution === 'raw') return startMs >= sinceMs && startMs < untilMs ? whole : none;
  if (startMs >= sinceMs && endMs <= untilMs) return whole;
  const fromMs = Math.max(startMs, sinceMs);
  const toMs = Math.min(endMs, untilMs);
  if (fromMs >= toMs) return none;
  // The whole bucket, to tell whether the finer history still covers its part in the period.
  const finer = await read(startMs, endMs, FINER[bucket.resolution]);
  if (!covers(finer, bucket, fromMs)) return bucket.resolution === '1d' ? { ...whole, partial: true } : none;
  return historyInPeriod(finer, fromMs, toMs, read);
}

/**
 * Whether `finer` holds every probe of `bucket` from `fromMs` on: it holds all of them, or the
 * monitor removed only older ones (its retention removes the oldest first), so one of its
 * buckets begins at or before `fromMs`.
 */
function covers(finer: readonly HistoryBucket[], bucket: HistoryBucket, fromMs: number): boolean {
  const checks = finer.reduce((sum, part) => sum + part.checks, 0);
  return checks >= bucket.checks || finer.some((part) => Date.parse(part.start) <= fromMs);
}
