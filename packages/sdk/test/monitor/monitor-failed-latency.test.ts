import Database from 'better-sqlite3';
import { describe, expect, test } from 'vitest';
import { freshDbPath, openMonitor, startTarget, T0, targetFor, testClock } from './_monitor.ts';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const iso = (ms: number) => new Date(ms).toISOString();

describe('FleetMonitor: failed probes are not response times', () => {
  test('a target that stops answering shows no last response, and its latency comes from the answers only', async () => {
    const server = await startTarget();
    const clock = testClock();
    const dbPath = freshDbPath();
    const options = { targets: [targetFor('api', server.url(), { intervalMs: 60_000 })], now: clock.now, dbPath };
    const monitor = openMonitor(options);
    // Two answers of 20 ms (the server moves the monitor's clock while answering).
    server.set('/health', { before: () => clock.advance(20) });
    for (let probe = 0; probe < 2; probe++) {
      await monitor.probeNow();
      clock.ms = T0 + (probe + 1) * 30_000;
    }
    await server.close();
    // Five refused connections in the same 5-minute bucket, three in the next: down.
    for (let probe = 2; probe < 10; probe++) {
      await monitor.probeNow();
      clock.ms = T0 + (probe + 1) * 30_000;
    }
    expect(monitor.status('api')).toMatchObject({
      state: 'down',
      lastResponseTimeMs: null,
      lastError: 'connection refused',
      latency: { p50Ms: 20, p95Ms: 20 },
    });
    const raw = monitor.history('api', { from: T0, to: clock.ms, resolution: 'raw' });
    expect(raw.map((bucket) => bucket.p50Ms)).toEqual([20, 20, null, null, null, null, null, null, null, null]);
    const fiveMinutes = [
      { start: iso(T0), resolution: '5m', checks: 10, ok: 2, p50Ms: 20, p95Ms: 20, maxMs: 20 },
      { start: iso(T0 + 5 * MINUTE), resolution: '5m', checks: 0, ok: 0, p50Ms: null, p95Ms: null, maxMs: null },
    ];
    clock.ms = T0 + 5 * MINUTE;
    for (let probe = 0; probe < 3; probe++) {
      await monitor.probeNow();
      clock.advance(30_000);
    }
    fiveMinutes[1]!.checks = 3;
    expect(monitor.history('api', { from: T0, to: clock.ms, resolution: '5m' })).toEqual(fiveMinutes);
    clock.ms = T0 + DAY;
    monitor.rollup();
    expect(monitor.history('api', { from: T0, to: T0 + 10 * MINUTE, resolution: '5m' })).toEqual(fiveMinutes);
    monitor.close();

    // A restart reads the same from the history: no last response, latency from the answers.
    clock.ms = T0 + 10 * MINUTE;
    const restarted = openMonitor(options);
    expect(restarted.status('api')).toMatchObject({ lastResponseTimeMs: null, latency: { p50Ms: 20, p95Ms: 20 } });
  });

  test('a day without a correct answer has no latencies, also once rolled up', () => {
    const clock = testClock();
    const monitor = openMonitor({ targets: [targetFor('api', 'http://127.0.0.1:9/health')], now: clock.now });
    const dayStart = Date.UTC(2025, 0, 2);
    for (let probe = 0; probe < 4; probe++) {
      clock.ms = dayStart + probe * 10 * MINUTE;
      monitor.record({
        target: 'api',
        at: iso(clock.ms),
        ok: false,
        status: null,
        responseTimeMs: 2,
        error: 'refused',
      });
    }
    const day = { start: iso(dayStart), resolution: '1d', checks: 4, ok: 0, p50Ms: null, p95Ms: null, maxMs: null };
    expect(monitor.history('api', { from: dayStart, to: dayStart + DAY, resolution: '1d' })).toEqual([day]);
    clock.ms = dayStart + DAY + MINUTE;
    expect(monitor.rollup().days).toBe(1);
    expect(monitor.history('api', { from: dayStart, to: dayStart + DAY, resolution: '1d' })).toEqual([day]);
  });

  test('a wrong answer has a last response time but no latency; a slow answer has both', async () => {
    const server = await startTarget();
    const clock = testClock();
    const monitor = openMonitor({
      targets: [targetFor('api', server.url(), { conditions: ['[STATUS] == 200', '[RESPONSE_TIME] < 300'] })],
      now: clock.now,
    });
    server.set('/health', { status: 503, before: () => clock.advance(2) });
    await monitor.probeNow();
    expect(monitor.status('api')).toMatchObject({ lastResponseTimeMs: 2, latency: { p50Ms: null, p95Ms: null } });
    clock.advance(30_000);
    server.set('/health', { before: () => clock.advance(500) });
    await monitor.probeNow();
    expect(monitor.status('api')).toMatchObject({ lastResponseTimeMs: 500, latency: { p50Ms: 500, p95Ms: 500 } });
    const raw = monitor.history('api', { from: T0, to: clock.ms + 1, resolution: 'raw' });
    expect(raw.map((bucket) => [bucket.ok, bucket.p50Ms])).toEqual([
      [0, null],
      [0, 500],
    ]);
  });

  test('a history file of version 1 keeps its days when it is upgraded', () => {
    const clock = testClock();
    const dbPath = freshDbPath();
    const options = { targets: [targetFor('api', 'http://127.0.0.1:9/health')], now: clock.now, dbPath };
    openMonitor(options).close();
    // Back to version 1: the days' latencies NOT NULL, no last probes, one day stored.
    const db = new Database(dbPath);
    db.exec(`ALTER TABLE targets DROP COLUMN last_at;
      ALTER TABLE targets DROP COLUMN last_ms;
      DROP TABLE days;
      CREATE TABLE days (target INTEGER NOT NULL, day INTEGER NOT NULL, checks INTEGER NOT NULL, ok INTEGER NOT NULL,
        p50 INTEGER NOT NULL, p95 INTEGER NOT NULL, max INTEGER NOT NULL, PRIMARY KEY (target, day)) WITHOUT ROWID;
      INSERT INTO days VALUES (1, ${T0 / DAY - 0.5}, 10, 9, 12, 40, 55);
      PRAGMA user_version = 1;`);
    db.close();
    const upgraded = openMonitor(options);
    const dayStart = T0 - 12 * 60 * MINUTE;
    expect(upgraded.history('api', { from: dayStart, to: dayStart + DAY, resolution: '1d' })).toEqual([
      { start: iso(dayStart), resolution: '1d', checks: 10, ok: 9, p50Ms: 12, p95Ms: 40, maxMs: 55 },
    ]);
  });
});
