import Database from 'better-sqlite3';
import { describe, expect, test } from 'vitest';
import type { FleetMonitor } from '../../src/monitor/fleet-monitor.ts';
import { freshDbPath, openMonitor, T0, type TestClock, targetFor, testClock } from './_monitor.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const iso = (ms: number) => new Date(ms).toISOString();

const target = targetFor('api', 'http://127.0.0.1:9/health', { intervalMs: MINUTE, failureThreshold: 3 });

/** Five hours of failed probes, one a minute, from T0: `down` from the third. Returns the last probe's time. */
function fiveHoursDown(monitor: FleetMonitor, clock: TestClock): number {
  for (clock.ms = T0; clock.ms <= T0 + 5 * HOUR; clock.ms += MINUTE) {
    monitor.record({ target: 'api', at: iso(clock.ms), ok: false, status: 500, responseTimeMs: 3, error: 'boom' });
  }
  return T0 + 5 * HOUR;
}

/** Rolls up every hour (retention included) up to `untilMs`. */
function runUntil(monitor: FleetMonitor, clock: TestClock, untilMs: number): void {
  for (; clock.ms <= untilMs; clock.ms += HOUR) monitor.rollup();
  clock.ms = untilMs;
}

describe('FleetMonitor: gaps longer than the raw history', () => {
  test('a target removed for 3 days and back is unknown from its last probe, not from when its state began', () => {
    const clock = testClock();
    const monitor = openMonitor({ targets: [target], now: clock.now });
    const lastProbe = fiveHoursDown(monitor, clock);
    expect(monitor.status('api')).toMatchObject({ state: 'down', since: iso(T0 + 2 * MINUTE) });
    monitor.setTargets([]);
    runUntil(monitor, clock, lastProbe + 3 * DAY);
    monitor.setTargets([target]);
    expect(monitor.status('api')).toMatchObject({
      state: 'unknown',
      since: iso(lastProbe),
      lastCheckAt: iso(lastProbe),
    });
    expect(monitor.transitions('api', 1)).toEqual([
      {
        target: 'api',
        at: iso(lastProbe),
        from: 'down',
        to: 'unknown',
        reason: 'no probe for 72h: it was not among the monitored targets',
      },
    ]);
  });

  test('a monitor restarted after 3 days shows a target unknown from its last probe', () => {
    const clock = testClock();
    const dbPath = freshDbPath();
    const first = openMonitor({ targets: [target], now: clock.now, dbPath });
    const lastProbe = fiveHoursDown(first, clock);
    // Another monitor on the file, without this target, kept rolling up (and pruning) meanwhile.
    first.close();
    const other = openMonitor({ targets: [], now: clock.now, dbPath });
    runUntil(other, clock, lastProbe + 3 * DAY);
    other.close();
    const restarted = openMonitor({ targets: [target], now: clock.now, dbPath });
    expect(restarted.status('api')).toMatchObject({
      state: 'unknown',
      since: iso(lastProbe),
      lastCheckAt: iso(lastProbe),
      lastResponseTimeMs: 3,
    });
    expect(restarted.transitions('api', 1)[0]).toMatchObject({ at: iso(lastProbe), from: 'down', to: 'unknown' });
  });

  test('a history file of version 2 keeps its targets’ last probes when it is upgraded', () => {
    const clock = testClock();
    const dbPath = freshDbPath();
    const first = openMonitor({ targets: [target], now: clock.now, dbPath });
    const lastProbe = fiveHoursDown(first, clock);
    first.close();
    // Back to version 2: no last probe beside the raw results.
    const db = new Database(dbPath);
    db.exec(`ALTER TABLE targets DROP COLUMN last_at;
      ALTER TABLE targets DROP COLUMN last_ms;
      PRAGMA user_version = 2;`);
    db.close();
    // The upgrade, within the raw history; then 3 days of rollups without the target.
    const upgraded = openMonitor({ targets: [], now: clock.now, dbPath });
    runUntil(upgraded, clock, lastProbe + 3 * DAY);
    upgraded.close();
    const restarted = openMonitor({ targets: [target], now: clock.now, dbPath });
    expect(restarted.status('api')).toMatchObject({
      state: 'unknown',
      since: iso(lastProbe),
      lastCheckAt: iso(lastProbe),
    });
  });
});
