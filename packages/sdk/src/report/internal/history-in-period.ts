import type { HistoryBucket, HistoryResolution } from '../../schemas/monitor.ts';

/** Reads a target's history over `[fromMs, toMs)`; the source picks the resolution. */
export type ReadHistory = (fromMs: number, toMs: number) => Promise<readonly HistoryBucket[]>;

/** How long a bucket of each resolution spans (a raw bucket is one probe, at its start). */
const SPAN_MS: Record<HistoryResolution, number> = { raw: 0, '5m': 5 * 60_000, '1d': 86_400_000 };

/** Finer resolutions rank lower. */
const RANK: Record<HistoryResolution, number> = { raw: 0, '5m': 1, '1d': 2 };

/**
 * The buckets of `history` that hold only probes made in `[sinceMs, untilMs)`, so that uptime is
 * good probes over the probes made in the period. The monitor returns every bucket that overlaps
 * a range, so a bucket at either edge also holds probes from before or after it: such a bucket is
 * replaced by the history of its part inside the period, read again (the monitor picks a finer
 * resolution for the shorter span: 5-minute buckets for a day, raw probes, kept 48 h, for five
 * minutes). When the monitor has nothing finer for that time, the bucket is left out: a probe
 * outside the period is never counted, at the cost of at most five minutes of probes inside it.
 */
export async function historyInPeriod(
  history: readonly HistoryBucket[],
  sinceMs: number,
  untilMs: number,
  read: ReadHistory,
): Promise<HistoryBucket[]> {
  const parts = await Promise.all(
    history.map(async (bucket): Promise<readonly HistoryBucket[]> => {
      const startMs = Date.parse(bucket.start);
      const endMs = startMs + SPAN_MS[bucket.resolution];
      if (bucket.resolution === 'raw') return startMs >= sinceMs && startMs < untilMs ? [bucket] : [];
      if (startMs >= sinceMs && endMs <= untilMs) return [bucket];
      const fromMs = Math.max(startMs, sinceMs);
      const toMs = Math.min(endMs, untilMs);
      if (fromMs >= toMs) return [];
      // Only a finer answer helps; the same resolution would hold the same edge bucket again.
      const finer = (await read(fromMs, toMs)).filter((part) => RANK[part.resolution] < RANK[bucket.resolution]);
      return historyInPeriod(finer, fromMs, toMs, read);
    }),
  );
  return parts.flat();
}
