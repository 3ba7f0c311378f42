import { describe, expect, test } from 'vitest';
import { LatencyWindow } from '../../src/monitor/internal/latency-window.ts';
import { T0 } from './_monitor.ts';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

describe('LatencyWindow', () => {
  test('p50 and p95 of the last 24 hours', () => {
    const window = new LatencyWindow();
    for (let index = 1; index <= 100; index++) window.add(T0 + index * 1000, index);
    expect(window.percentiles(T0 + 100_000)).toEqual({ p50Ms: 50, p95Ms: 95 });
    expect(window.percentiles(T0 + DAY + 10 * MINUTE)).toEqual({ p50Ms: null, p95Ms: null });
  });

  test('adding drops the values older than the window, even when no percentile is ever read', () => {
    const window = new LatencyWindow();
    // Three days of a probe every 30 s, and nobody asking for p50/p95 (a monitor used through onTransition).
    for (let at = T0; at < T0 + 3 * DAY; at += 30_000) window.add(at, 12);
    // 288 five-minute buckets (the current one included) of 10 probes each: the last day.
    expect(window.size).toBe(2880);
  });
});
