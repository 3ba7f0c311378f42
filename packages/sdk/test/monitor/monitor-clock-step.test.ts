import { describe, expect, test } from 'vitest';
import type { FleetMonitor } from '../../src/monitor/fleet-monitor.ts';
import { openMonitor, T0, type TestClock, targetFor, testClock } from './_monitor.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const iso = (ms: number) => new Date(ms).toISOString();

/** Records a result at the clock's time, as a probe made now would be. */
function probe(monitor: FleetMonitor, clock: TestClock, ok: boolean, ms: number): void {
  monitor.record({
    target: 'api',
    at: iso(clock.ms),
    ok,
    status: ok ? 200 : 503,
    responseTimeMs: ms,
    error: ok ? null : 'down',
  });
}

/** A monitor that got one 10 ms answer while its clock was two days ahead, and the clock put back to T0. */
function steppedBack() {
  const clock = testClock(T0 + 2 * DAY);
  const monitor = openMonitor({ targets: [targetFor('api', 'http://127.0.0.1:9/health')], now: clock.now });
  probe(monitor, clock, true, 10);
  clock.ms = T0;
  return { clock, monitor };
}

describe('FleetMonitor: a wall clock that steps back', () => {
  test('the 24-hour latency drops answers older than 24 hours of the corrected clock', () => {
    const { clock, monitor } = steppedBack();
    // Six slow hours, then fast answers, every 5 minutes.
    for (; clock.ms <= T0 + 30 * HOUR; clock.ms += 5 * MINUTE)
      probe(monitor, clock, true, clock.ms < T0 + 6 * HOUR ? 5000 : 10);
    clock.ms = T0 + 30 * HOUR;
    expect(monitor.status('api')?.latency).toEqual({ p50Ms: 10, p95Ms: 10 });
  });

  test('an answer stamped ahead leaves the 24-hour latency a day after the step, also when no answer follows', () => {
    const { clock, monitor } = steppedBack();
    expect(monitor.status('api')?.latency).toEqual({ p50Ms: 10, p95Ms: 10 });
    for (; clock.ms <= T0 + 25 * HOUR; clock.ms += 5 * MINUTE) probe(monitor, clock, false, 2000);
    clock.ms = T0 + 25 * HOUR;
    expect(monitor.status('api')?.latency).toEqual({ p50Ms: null, p95Ms: null });
  });
});
