import { describe, expect, test } from 'vitest';
import { truncatedPercent } from '../../src/report/truncated-percent.ts';

describe('truncatedPercent', () => {
  test('57 good probes of 100 read 57.00, not 56.99', () => {
    expect(truncatedPercent(57 / 100)).toBe('57.00');
  });

  test('every ratio of up to 2000 probes is truncated to the hundredth its counts give', () => {
    const wrong: string[] = [];
    for (let checks = 1; checks <= 2000; checks++) {
      for (let ok = 0; ok <= checks; ok++) {
        const hundredths = Math.min(Math.floor((ok * 10_000) / checks), ok === checks ? 10_000 : 9_999);
        if (truncatedPercent(ok / checks) !== (hundredths / 100).toFixed(2)) wrong.push(`${ok}/${checks}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  test('anything short of perfect never reads 100.00', () => {
    expect(truncatedPercent(99_999 / 100_000)).toBe('99.99');
    expect(truncatedPercent(999_999_999 / 1_000_000_000)).toBe('99.99');
    expect(truncatedPercent(1 - Number.EPSILON)).toBe('99.99');
    expect(truncatedPercent(1)).toBe('100.00');
    expect(truncatedPercent(0)).toBe('0.00');
  });
});
