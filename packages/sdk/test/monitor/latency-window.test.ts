import { describe, expect, test } from 'vitest';
import { LatencyWindow } from '../../src/monitor/internal/latency-window.ts';
import { T0 } from './_monitor.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

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

  test('after the clock steps back, values stamped ahead count as the new time and old ones still leave', () => {
    const window = new LatencyWindow();
    // A probe stamped while the clock was two days ahead, then the clock corrected: 6 slow hours, then fast ones.
    window.add(T0 + 2 * DAY, 10);
    for (let at = T0; at <= T0 + 30 * HOUR; at += MINUTE) window.add(at, at < T0 + 6 * HOUR ? 5000 : 10);
    expect(window.percentiles(T0 + 30 * HOUR)).toEqual({ p50Ms: 10, p95Ms: 10 });
    // The last 288 five-minute buckets: from 6 h 5 min to 30 h, a value a minute.
    expect(window.size).toBe(24 * 60 - 4);
  });

  test('values stamped ahead of a clock that stepped back leave 24 hours after the step, with no new values', () => {
    const window = new LatencyWindow();
    window.add(T0 + 2 * DAY, 10);
    expect(window.percentiles(T0)).toEqual({ p50Ms: 10, p95Ms: 10 });
    expect(window.percentiles(T0 + DAY - 10 * MINUTE)).toEqual({ p50Ms: 10, p95Ms: 10 });
    expect(window.percentiles(T0 + DAY)).toEqual({ p50Ms: null, p95Ms: null });
  });
});
