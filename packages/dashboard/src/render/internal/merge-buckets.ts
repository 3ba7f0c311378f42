import type { HistoryBucket } from '@fleet/sdk';

/**
 * Merges adjacent buckets so that at most `max` remain (the newest end stays aligned), summing
 * checks and good probes. Keeps the overview's mini bars a few kilobytes however fine the history
 * is, since the overview is re-sent on every live update. Latency fields take the worst of the
 * merged buckets, a bound rather than a percentile, and only the ok ratio is drawn from them anyway.
 */
export function mergeBuckets(history: readonly HistoryBucket[], max: number): HistoryBucket[] {
  if (history.length <= max) return [...history];
  const size = Math.ceil(history.length / max);
  const merged: HistoryBucket[] = [];
  // Group from the newest end so the last segment is always the most recent `size` buckets.
  for (let end = history.length; end > 0; end -= size) {
    const group = history.slice(Math.max(0, end - size), end);
    const first = group[0]!;
    merged.unshift({
      start: first.start,
      resolution: first.resolution,
      checks: sum(group, (b) => b.checks),
      ok: sum(group, (b) => b.ok),
      p50Ms: worst(group, (b) => b.p50Ms),
      p95Ms: worst(group, (b) => b.p95Ms),
      maxMs: worst(group, (b) => b.maxMs),
    });
  }
  return merged;
}

function sum(group: HistoryBucket[], pick: (b: HistoryBucket) => number): number {
  return group.reduce((total, b) => total + pick(b), 0);
}

function worst(group: HistoryBucket[], pick: (b: HistoryBucket) => number | null): number | null {
  const values = group.map(pick).filter((v): v is number => v !== null);
  return values.length ? Math.max(...values) : null;
}
