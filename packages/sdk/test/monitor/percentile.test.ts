import { describe, expect, test } from 'vitest';
import { percentiles } from '../../src/monitor/internal/percentile.ts';

/** Nearest rank by sorting: the definition the quickselect must match. */
function byRank(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

describe('percentiles', () => {
  test('nearest rank: the smallest value with at least p of all values at or below it', () => {
    expect(percentiles(Float64Array.from([40, 10, 30, 20]), [0.5, 0.75, 0.95, 1])).toEqual([20, 30, 40, 40]);
    expect(percentiles(new Float64Array(0), [0.5])).toEqual([null]);
  });

  test('matches sorting on random, repeated and sorted inputs', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (let round = 0; round < 1500; round++) {
      const n = 1 + Math.floor(random() * 60);
      const values = Array.from({ length: n }, () => Math.floor(random() * (round % 3 === 0 ? 3 : 500)));
      if (round % 5 === 0) values.sort((a, b) => a - b);
      const ps = [0, 0.01, 0.5, 0.95, 0.99, 1];
      expect(percentiles(Float64Array.from(values), ps)).toEqual(ps.map((p) => byRank(values, p)));
    }
  });
});
