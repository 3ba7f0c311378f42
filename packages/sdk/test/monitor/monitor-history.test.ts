import { describe, expect, test } from 'vitest';
import type { FleetMonitor } from '../../src/monitor/fleet-monitor.ts';
import { freshDbPath, openMonitor, T0, type TestClock, targetFor, testClock } from './_monitor.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const iso = (ms: number) => new Date(ms).toISOString();

interface Probe {
  at: number;
  ok: boolean;
  ms: number;
}

/** Records `probes` through the monitor's public write path, the clock following them. */
function feed(monitor: FleetMonitor, clock: TestClock, probes: readonly Probe[], target = 'api'): void {
  for (const probe of probes) {
    clock.ms = probe.at;
    monitor.record({
      target,
      at: iso(probe.at),
      ok: probe.ok,
      status: probe.ok ? 200 : 503,
      responseTimeMs: probe.ms,
      error: probe.ok ? null : 'down',
    });
  }
}

/** One probe every `everyMs` in [from, to), with ok and latency given by its index. */
function series(from: number, to: number, everyMs: number, shape: (index: number) => Omit<Probe, 'at'>): Probe[] {
  const probes: Probe[] = [];
  for (let at = from, index = 0; at < to; at += everyMs, index++) probes.push({ at, ...shape(index) });
  return probes;
}

/** Nearest-rank percentile, the monitor's definition, computed independently. */
function nearestRank(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.ceil(p * sorted.length) - 1]!;
}

function setup(dbPath = freshDbPath()) {
  const clock = testClock();
  const monitor = openMonitor({ targets: [targetFor('api', 'http://127.0.0.1:9/health')], now: clock.now, dbPath });
  return { clock, monitor, dbPath };
}

describe('FleetMonitor: history, rollups and retention', () => {
  test('5-minute buckets aggregate checks, good checks and latency percentiles', () => {
    const { clock, monitor } = setup();
    // Ten probes in the first bucket (latencies 10..100, the 4th fails: its 40 ms is no response
    // time, so the percentiles are over the other nine), five in the second.
    feed(
      monitor,
      clock,
      series(T0, T0 + 5 * MINUTE, 30_000, (i) => ({ ok: i !== 3, ms: (i + 1) * 10 })),
    );
    feed(
      monitor,
      clock,
      series(T0 + 5 * MINUTE, T0 + 7.5 * MINUTE, 30_000, () => ({ ok: true, ms: 7 })),
    );
    clock.ms = T0 + HOUR;
    const expected = [
      { start: iso(T0), resolution: '5m', checks: 10, ok: 9, p50Ms: 60, p95Ms: 100, maxMs: 100 },
      { start: iso(T0 + 5 * MINUTE), resolution: '5m', checks: 5, ok: 5, p50Ms: 7, p95Ms: 7, maxMs: 7 },
    ];
    // Before a rollup the buckets come from the raw results; after it, from either: the same.
    expect(monitor.history('api', { from: T0, to: T0 + HOUR, resolution: '5m' })).toEqual(expected);
    expect(monitor.rollup()).toMatchObject({ buckets: 2 });
    expect(monitor.history('api', { from: T0, to: T0 + HOUR, resolution: '5m' })).toEqual(expected);
  });

  test('the resolution follows the range: raw up to 6 hours, 5-minute buckets up to 8 days, days beyond', () => {
    const { clock, monitor } = setup();
    feed(
      monitor,
      clock,
      series(T0, T0 + 10 * DAY, 10 * MINUTE, () => ({ ok: true, ms: 5 })),
    );
    const now = clock.ms;
    const resolutions = (from: number) => new Set(monitor.history('api', { from, to: now }).map((b) => b.resolution));
    expect(resolutions(now - HOUR)).toEqual(new Set(['raw']));
    expect(monitor.history('api', { from: now - HOUR, to: now })).toHaveLength(6);
    expect(resolutions(now - 2 * DAY)).toEqual(new Set(['5m']));
    expect(resolutions(now - 9 * DAY)).toEqual(new Set(['1d']));
    // The default range is the last 24 hours, in 5-minute buckets: one probe every 10 minutes.
    expect(monitor.history('api')).toHaveLength(144);
    expect(() => monitor.history('api', { from: now, to: now - 1 })).toThrow(/must be before/);
  });

  test('raw results go after 48 hours, 5-minute buckets after 30 days, days after a year', () => {
    const { clock, monitor } = setup();
    feed(
      monitor,
      clock,
      series(T0, T0 + HOUR, 30_000, () => ({ ok: true, ms: 12 })),
    );
    const firstHour = { from: T0, to: T0 + HOUR };
    const count = (resolution: 'raw' | '5m' | '1d') => monitor.history('api', { ...firstHour, resolution }).length;

    clock.ms = T0 + 47 * HOUR;
    monitor.rollup();
    expect([count('raw'), count('5m'), count('1d')]).toEqual([120, 12, 1]);

    clock.ms = T0 + 49 * HOUR + 5 * MINUTE;
    expect(monitor.rollup().pruned).toBe(12);
    expect([count('raw'), count('5m'), count('1d')]).toEqual([0, 12, 1]);
    expect(monitor.history('api', { ...firstHour, resolution: '1d' })[0]).toMatchObject({
      start: iso(Date.UTC(2025, 0, 1)),
      checks: 120,
      ok: 120,
      p50Ms: 12,
    });

    clock.ms = T0 + 31 * DAY;
    monitor.rollup();
    expect([count('raw'), count('5m'), count('1d')]).toEqual([0, 0, 1]);

    clock.ms = T0 + 367 * DAY;
    monitor.rollup();
    expect([count('raw'), count('5m'), count('1d')]).toEqual([0, 0, 0]);
  });

  test('a rollup run twice changes nothing the second time', () => {
    const { clock, monitor } = setup();
    feed(
      monitor,
      clock,
      series(T0, T0 + 3 * DAY, 5 * MINUTE, (i) => ({ ok: i % 7 !== 0, ms: i % 50 })),
    );
    clock.ms = T0 + 3 * DAY + HOUR;
    const range = { from: T0, to: clock.ms, resolution: '5m' as const };
    const first = monitor.rollup();
    expect(first.buckets).toBeGreaterThan(0);
    const before = [monitor.history('api', range), monitor.history('api', { ...range, resolution: '1d' })];
    expect(monitor.rollup()).toEqual({ buckets: 0, days: 0, pruned: 0 });
    expect([monitor.history('api', range), monitor.history('api', { ...range, resolution: '1d' })]).toEqual(before);
  });

  test('a result older than the raw history is refused: the aggregates it would replace stay', () => {
    const { clock, monitor } = setup();
    feed(monitor, clock, [{ at: T0, ok: true, ms: 10 }]);
    clock.ms = T0 + 49 * 60 * MINUTE;
    monitor.rollup();
    const before = monitor.history('api', { from: T0, to: T0 + 10 * MINUTE, resolution: '5m' });
    const late = { target: 'api', at: iso(T0 + MINUTE), ok: false, status: null, responseTimeMs: 5, error: 'x' };
    expect(() => monitor.record(late)).toThrow(RangeError);
    monitor.rollup();
    expect(monitor.history('api', { from: T0, to: T0 + 10 * MINUTE, resolution: '5m' })).toEqual(before);
    expect(before[0]).toMatchObject({ checks: 1, ok: 1 });
    monitor.close();
  });

  test('a result that arrives after its bucket was rolled up is rolled up again', () => {
    const { clock, monitor, dbPath } = setup();
    feed(monitor, clock, [{ at: T0, ok: true, ms: 10 }]);
    clock.ms = T0 + 10 * MINUTE;
    monitor.rollup();
    // A probe that started in the first bucket and ended after the rollup.
    monitor.record({
      target: 'api',
      at: iso(T0 + 4 * MINUTE),
      ok: false,
      status: null,
      responseTimeMs: 2000,
      error: 'x',
    });
    // Counted once, also by a monitor that starts before the next rollup.
    expect(monitor.status('api')?.uptime['1h']).toBe(0.5);
    monitor.close();
    const restarted = openMonitor({ targets: [targetFor('api', 'http://127.0.0.1:9/health')], now: clock.now, dbPath });
    expect(restarted.status('api')?.uptime['1h']).toBe(0.5);
    expect(restarted.rollup().buckets).toBe(1);
    clock.ms = T0 + 3 * DAY;
    restarted.rollup();
    expect(restarted.history('api', { from: T0, to: T0 + 5 * MINUTE, resolution: '5m' })).toEqual([
      { start: iso(T0), resolution: '5m', checks: 2, ok: 1, p50Ms: 10, p95Ms: 10, maxMs: 10 },
    ]);
  });

  test('daily buckets are exact over the whole day, computed once it is over', () => {
    const { clock, monitor } = setup();
    const dayStart = Date.UTC(2025, 0, 2);
    const probes = series(dayStart, dayStart + DAY, 30_000, (i) => ({ ok: i % 100 !== 0, ms: (i * 37) % 400 }));
    feed(monitor, clock, probes);
    clock.ms = dayStart + DAY + 10 * MINUTE;
    expect(monitor.rollup().days).toBe(1);
    const latencies = probes.filter((probe) => probe.ok).map((probe) => probe.ms);
    expect(monitor.history('api', { from: dayStart, to: dayStart + DAY, resolution: '1d' })).toEqual([
      {
        start: iso(dayStart),
        resolution: '1d',
        checks: 2880,
        ok: 2880 - 29,
        p50Ms: nearestRank(latencies, 0.5),
        p95Ms: nearestRank(latencies, 0.95),
        maxMs: Math.max(...latencies),
      },
    ]);
  });
});

describe('FleetMonitor: uptime and latency figures', () => {
  test('uptime over 1 h and 24 h counts the probes of those windows', () => {
    const { clock, monitor } = setup();
    // One probe per 5 minutes for two days; the last hour is all good, the 11 hours before it
    // lose one probe an hour, the 12 before those are all bad.
    const end = T0 + 2 * DAY;
    feed(
      monitor,
      clock,
      series(end - 2 * DAY, end, 5 * MINUTE, (i) => {
        const hoursAgo = Math.floor((2 * DAY - i * 5 * MINUTE - 1) / HOUR);
        if (hoursAgo === 0) return { ok: true, ms: 1 };
        if (hoursAgo < 12) return { ok: i % 12 !== 0, ms: 1 };
        if (hoursAgo < 24) return { ok: false, ms: 1 };
        return { ok: true, ms: 1 };
      }),
    );
    clock.ms = end - 1;
    const { uptime } = monitor.status('api')!;
    expect(uptime['1h']).toBe(1);
    expect(uptime['24h']).toBe((288 - 11 - 144) / 288);
  });

  test('uptime over 7 d and 30 d counts whole hours, the current one included', () => {
    const { clock, monitor } = setup();
    // A probe at half past every hour for 31 days; now is a quarter to the next hour. The
    // failures sit just inside and just outside each window.
    const nowHour = Math.floor(T0 / HOUR) + 31 * 24;
    const failing = new Set([24, 23, 167, 168, 719, 720].map((hoursAgo) => nowHour - hoursAgo));
    const probes: Probe[] = [];
    for (let hour = nowHour - 31 * 24; hour <= nowHour; hour++) {
      probes.push({ at: hour * HOUR + 30 * MINUTE, ok: !failing.has(hour), ms: 1 });
    }
    feed(monitor, clock, probes);
    clock.ms = nowHour * HOUR + 45 * MINUTE;
    expect(monitor.status('api')?.uptime).toEqual({ '1h': 1, '24h': 23 / 24, '7d': 165 / 168, '30d': 715 / 720 });
  });

  test('uptime, recomputed from the database after a restart, matches the live figures', () => {
    const { clock, monitor, dbPath } = setup();
    // 40 days of a probe a minute with an outage pattern, rolled up along the way.
    const start = T0 - 40 * DAY;
    for (let day = 0; day < 40; day++) {
      feed(
        monitor,
        clock,
        series(start + day * DAY, start + (day + 1) * DAY, MINUTE, (i) => ({ ok: (i + day) % 17 !== 0, ms: 3 })),
      );
      monitor.rollup();
    }
    clock.ms = T0 - 1;
    const live = monitor.status('api')!.uptime;
    for (const window of ['1h', '24h', '7d', '30d'] as const) {
      expect(live[window]).toBeGreaterThan(0.9);
      expect(live[window]).toBeLessThan(1);
    }
    monitor.close();
    const restarted = openMonitor({ targets: [targetFor('api', 'http://127.0.0.1:9/health')], now: clock.now, dbPath });
    expect(restarted.status('api')!.uptime).toEqual(live);
  });

  test('a target never probed has no uptime and no latency', () => {
    const { monitor } = setup();
    expect(monitor.status('api')).toMatchObject({
      uptime: { '1h': null, '24h': null, '7d': null, '30d': null },
      latency: { p50Ms: null, p95Ms: null },
    });
  });

  test('latency p50/p95 cover the last 24 hours, also after a restart', () => {
    const { clock, monitor, dbPath } = setup();
    // An old slow day, then a day whose latencies are 1..288 ms, one per 5-minute bucket.
    feed(
      monitor,
      clock,
      series(T0, T0 + DAY, 5 * MINUTE, () => ({ ok: true, ms: 5000 })),
    );
    feed(
      monitor,
      clock,
      series(T0 + DAY, T0 + 2 * DAY, 5 * MINUTE, (i) => ({ ok: true, ms: i + 1 })),
    );
    clock.ms = T0 + 2 * DAY - 1;
    expect(monitor.status('api')?.latency).toEqual({ p50Ms: 144, p95Ms: 274 });
    // An hour later the first 12 values have left: 13..288 ms, 276 values, ranks 138 and 263.
    clock.ms += HOUR;
    expect(monitor.status('api')?.latency).toEqual({ p50Ms: 150, p95Ms: 275 });
    monitor.rollup();
    monitor.close();
    const restarted = openMonitor({ targets: [targetFor('api', 'http://127.0.0.1:9/health')], now: clock.now, dbPath });
    expect(restarted.status('api')?.latency).toEqual({ p50Ms: 150, p95Ms: 275 });
  });
});
