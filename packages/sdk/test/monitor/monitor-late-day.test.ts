import { describe, expect, test } from 'vitest';
import { freshDbPath, openMonitor, targetFor, testClock } from './_monitor.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const iso = (ms: number) => new Date(ms).toISOString();

/** Nearest-rank percentile, the monitor's definition, computed independently. */
function nearestRank(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.ceil(p * sorted.length) - 1]!;
}

/**
 * A monitor with one day (2025-01-02) of a probe a minute behind it, rolled up every hour as the
 * timer would, then run on hourly until 47 hours after that day's end: retention has removed all
 * but the last hour of its raw results. Returns the day's latencies too.
 */
function dayPastRetention() {
  const clock = testClock();
  const monitor = openMonitor({
    targets: [targetFor('api', 'http://127.0.0.1:9/health')],
    now: clock.now,
    dbPath: freshDbPath(),
  });
  const dayStart = Date.UTC(2025, 0, 2);
  const latencies: number[] = [];
  for (let at = dayStart, index = 0; at < dayStart + DAY; at += MINUTE, index++) {
    clock.ms = at;
    const ms = (index * 37) % 400;
    latencies.push(ms);
    monitor.record({ target: 'api', at: iso(at), ok: true, status: 200, responseTimeMs: ms, error: null });
    if ((at - dayStart) % HOUR === 0) monitor.rollup();
  }
  for (clock.ms = dayStart + DAY + 5 * MINUTE; clock.ms <= dayStart + 2 * DAY + 23 * HOUR; clock.ms += HOUR) {
    monitor.rollup();
  }
  clock.ms = dayStart + 2 * DAY + 23 * HOUR;
  monitor.rollup();
  return { clock, monitor, dayStart, latencies };
}

describe('FleetMonitor: late results and daily buckets', () => {
  test('a result up to 48 h late is added to its day, whose other raw results retention already removed', () => {
    const { monitor, dayStart, latencies } = dayPastRetention();
    const day = { from: dayStart, to: dayStart + DAY, resolution: '1d' as const };
    const whole = {
      start: iso(dayStart),
      resolution: '1d',
      checks: 1440,
      ok: 1440,
      p50Ms: nearestRank(latencies, 0.5),
      p95Ms: nearestRank(latencies, 0.95),
      maxMs: Math.max(...latencies),
    };
    expect(monitor.history('api', day)).toEqual([whole]);
    // Only the day's last hour is still raw.
    expect(monitor.history('api', { ...day, resolution: 'raw' })).toHaveLength(60);

    // A push check's result for 23:59 of that day, 47 hours late: within what record() takes.
    monitor.record({
      target: 'api',
      at: iso(dayStart + DAY - MINUTE),
      ok: false,
      status: 503,
      responseTimeMs: 5,
      error: 'down',
    });
    monitor.rollup();
    expect(monitor.history('api', day)).toEqual([{ ...whole, checks: 1441 }]);
    // Its 5-minute bucket has it too: 6 results, one failed.
    expect(
      monitor.history('api', { from: dayStart + DAY - 5 * MINUTE, to: dayStart + DAY, resolution: '5m' }),
    ).toMatchObject([{ checks: 6, ok: 5 }]);
  });

  test('a late slow answer raises its day’s max; the percentiles stay those of the whole day', () => {
    const { monitor, dayStart } = dayPastRetention();
    const day = { from: dayStart, to: dayStart + DAY, resolution: '1d' as const };
    const [before] = monitor.history('api', day);
    monitor.record({
      target: 'api',
      at: iso(dayStart + DAY - 30_000),
      ok: true,
      status: 200,
      responseTimeMs: 900,
      error: null,
    });
    monitor.rollup();
    expect(monitor.history('api', day)).toEqual([{ ...before, checks: 1441, ok: 1441, maxMs: 900 }]);
    // Rolling up again changes nothing.
    monitor.rollup();
    expect(monitor.history('api', day)).toEqual([{ ...before, checks: 1441, ok: 1441, maxMs: 900 }]);
  });
});
