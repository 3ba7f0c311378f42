import type { HistoryBucket } from '@fleet/sdk';
import { describe, expect, test } from 'vitest';
import { fillGaps } from '../../src/render/internal/fill-gaps.ts';
import { buckets, NOW } from './_fixtures.ts';

const FIVE_MINUTES = 300_000;
const startsOf = (history: readonly HistoryBucket[]) => history.map((bucket) => Date.parse(bucket.start));

describe('fillGaps', () => {
  test('adds an empty bucket for each 5-minute bucket missing inside the series and before now', () => {
    // Buckets at -60..-35 min, a hole at -30..-20, then -15 and -10; now is 0.
    const series = buckets(12).filter((_, i) => i < 6 || i > 8);
    series.pop();
    const filled = fillGaps(series, NOW);
    expect(startsOf(filled)).toEqual(Array.from({ length: 12 }, (_, i) => NOW - (12 - i) * FIVE_MINUTES));
    expect(filled.map((bucket) => bucket.checks)).toEqual([10, 10, 10, 10, 10, 10, 0, 0, 0, 10, 10, 0]);
    expect(filled[6]).toEqual({
      start: new Date(NOW - 6 * FIVE_MINUTES).toISOString(),
      resolution: '5m',
      checks: 0,
      ok: 0,
      p50Ms: null,
      p95Ms: null,
      maxMs: null,
    });
  });

  test('leaves the bucket in progress alone, and a complete series as it is', () => {
    const series = buckets(12);
    expect(fillGaps(series, NOW + FIVE_MINUTES - 1)).toEqual(series);
    expect(fillGaps(series, NOW + FIVE_MINUTES)).toHaveLength(13);
  });

  test('fills daily buckets by the day; raw results and an empty history are kept as they are', () => {
    const day = (daysAgo: number): HistoryBucket => ({
      ...buckets(1)[0]!,
      start: new Date(NOW - daysAgo * 86_400_000).toISOString(),
      resolution: '1d',
    });
    expect(fillGaps([day(5), day(2)], NOW).map((bucket) => bucket.checks)).toEqual([10, 0, 0, 10, 0]);
    const raw = [{ ...buckets(1)[0]!, resolution: 'raw' as const }];
    expect(fillGaps(raw, NOW + 86_400_000)).toEqual(raw);
    expect(fillGaps([], NOW)).toEqual([]);
  });
});
