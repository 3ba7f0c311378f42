import { describe, expect, test } from 'vitest';
import { freshDbPath, openMonitor, startTarget, T0, targetFor, testClock } from './_monitor.ts';

const MINUTE = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

describe('FleetMonitor: gaps in monitoring', () => {
  test('after a restart past a gap: unknown from the last probe, uptime without the gap, up from the first new probe', async () => {
    const server = await startTarget();
    const clock = testClock();
    const dbPath = freshDbPath();
    const targets = [targetFor('api', server.url(), { failureThreshold: 3 })];
    const first = openMonitor({ targets, now: clock.now, dbPath });
    // Three good probes and a failed one, 10 s apart: up, 3 of 4 good.
    for (const status of [200, 200, 200, 500]) {
      server.set('/health', { status });
      await first.probeNow();
      clock.advance(10_000);
    }
    const lastProbe = clock.ms - 10_000;
    expect(first.status('api')).toMatchObject({ state: 'up', since: iso(T0), uptime: { '1h': 0.75 } });
    first.close();

    // Four minutes later a new monitor opens the same history file.
    clock.ms = lastProbe + 4 * MINUTE;
    const second = openMonitor({ targets, now: clock.now, dbPath });
    expect(second.status('api')).toMatchObject({
      state: 'unknown',
      // Unknown from the last probe on: the up state does not reach across the gap.
      since: iso(lastProbe),
      lastCheckAt: iso(lastProbe),
      // The gap has no probes, so it counts neither as up nor as down: still 3 of 4.
      uptime: { '1h': 0.75, '24h': 0.75 },
    });
    expect(second.transitions('api', 1)).toEqual([
      {
        target: 'api',
        at: iso(lastProbe),
        from: 'up',
        to: 'unknown',
        reason: 'no probe for 4m: the monitor was not running',
      },
    ]);
    expect(second.history('api', { from: T0, resolution: 'raw' }).map((bucket) => bucket.start)).toEqual(
      [0, 1, 2, 3].map((index) => iso(T0 + index * 10_000)),
    );

    server.set('/health', {});
    await second.probeNow();
    expect(second.status('api')).toMatchObject({ state: 'up', since: iso(clock.ms), uptime: { '1h': 0.8 } });
    expect(second.transitions('api', 3).map((change) => `${change.from}->${change.to} ${change.at}`)).toEqual([
      `unknown->up ${iso(clock.ms)}`,
      `up->unknown ${iso(lastProbe)}`,
      `unknown->up ${iso(T0)}`,
    ]);
  });

  test('a target down before the gap is unknown after it, and up on its first good probe', async () => {
    const server = await startTarget();
    const clock = testClock();
    const dbPath = freshDbPath();
    const targets = [targetFor('api', server.url(), { failureThreshold: 1, successThreshold: 2 })];
    const first = openMonitor({ targets, now: clock.now, dbPath });
    server.set('/health', { status: 503 });
    await first.probeNow();
    expect(first.status('api')?.state).toBe('down');
    first.close();

    clock.advance(10 * MINUTE);
    const second = openMonitor({ targets, now: clock.now, dbPath });
    expect(second.status('api')).toMatchObject({ state: 'unknown', since: iso(T0) });
    server.set('/health', {});
    await second.probeNow();
    // What held before the gap says nothing now: no recovery through degraded.
    expect(second.status('api')).toMatchObject({ state: 'up', since: iso(clock.ms) });
  });

  test('a gap while running (a suspended process) ends the state at the last probe before it', async () => {
    const server = await startTarget();
    const clock = testClock();
    const monitor = openMonitor({ targets: [targetFor('api', server.url())], now: clock.now });
    const seen: string[] = [];
    monitor.onTransition((change) => seen.push(`${change.from}->${change.to} ${change.at} ${change.reason}`));
    await monitor.probeNow();
    clock.advance(10_000);
    await monitor.probeNow();
    // Probes 10 s apart are no gap; 5 minutes without one is.
    clock.advance(5 * MINUTE + 30_000);
    await monitor.probeNow();
    expect(seen).toEqual([
      `unknown->up ${iso(T0)} null`,
      `up->unknown ${iso(T0 + 10_000)} no probe for 5m30s`,
      `unknown->up ${iso(clock.ms)} null`,
    ]);
    expect(monitor.status('api')).toMatchObject({ state: 'up', since: iso(clock.ms), uptime: { '1h': 1 } });
  });

  test('start() after the monitor was stopped past a gap shows every state unknown until probed', async () => {
    const server = await startTarget();
    const clock = testClock();
    const monitor = openMonitor({ targets: [targetFor('api', server.url())], now: clock.now, random: () => 0.99 });
    await monitor.probeNow();
    clock.advance(MINUTE);
    monitor.start();
    await monitor.stop();
    expect(monitor.status('api')).toMatchObject({ state: 'unknown', since: iso(T0) });
    expect(monitor.transitions('api', 1)[0]?.reason).toBe('no probe for 1m: the monitor was not running');
  });

  test('a target back in the targets after a gap was not monitored: its reason says so, not that the monitor stopped', async () => {
    const server = await startTarget();
    const clock = testClock();
    const api = targetFor('api', server.url());
    const other = targetFor('other', server.url());
    const monitor = openMonitor({ targets: [api, other], now: clock.now });
    await monitor.probeNow();
    monitor.setTargets([other]);
    clock.advance(MINUTE);
    monitor.setTargets([api, other]);
    expect(monitor.status('api')).toMatchObject({ state: 'unknown' });
    expect(monitor.transitions('api', 1)[0]?.reason).toBe('no probe for 1m: it was not among the monitored targets');
  });
  test('targets set after constructing with none (as the dashboard does) say the monitor was not running', async () => {
    const server = await startTarget();
    const clock = testClock();
    const dbPath = freshDbPath();
    const api = targetFor('api', server.url());
    const first = openMonitor({ targets: [api], now: clock.now, dbPath });
    await first.probeNow();
    first.close();

    clock.advance(10 * MINUTE);
    const second = openMonitor({ targets: [], now: clock.now, dbPath });
    second.setTargets([api]);
    expect(second.status('api')).toMatchObject({ state: 'unknown', since: iso(T0) });
    expect(second.transitions('api', 1)[0]?.reason).toBe('no probe for 10m: the monitor was not running');
    second.start();
    await second.stop();
    // start() finds the gap already recorded: one transition for it, not two.
    expect(second.transitions('api', 5).map((change) => change.reason)).toEqual([
      'no probe for 10m: the monitor was not running',
      null,
    ]);
  });

  test('a target new to a running monitor, with an old history, was not among the monitored targets', async () => {
    const server = await startTarget();
    const clock = testClock();
    const dbPath = freshDbPath();
    const api = targetFor('api', server.url());
    const first = openMonitor({ targets: [api], now: clock.now, dbPath });
    await first.probeNow();
    first.close();

    const second = openMonitor({ targets: [], now: clock.now, dbPath, random: () => 0.99 });
    second.start();
    await second.stop();
    clock.advance(10 * MINUTE);
    second.setTargets([api]);
    expect(second.transitions('api', 1)[0]?.reason).toBe('no probe for 10m: it was not among the monitored targets');
  });
});

test('many targets on one host that never answers go down: waiting behind its other probes is no gap', async () => {
  // Accepts connections and never answers: every probe lasts its timeout.
  const { createServer } = await import('node:http');
  const silent = createServer(() => {});
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const port = (silent.address() as { port: number }).port;
  // 24 targets, 4 probes at once per host: a round takes 24 x 200 ms / 4 = 1.2 s, longer than the
  // gap allowance of 2 x 400 + 200 = 1,000 ms between one target's probes.
  const targets = Array.from({ length: 24 }, (_, i) => ({
    id: `svc${i}`,
    kind: 'custom' as const,
    host: 'h1',
    url: `http://127.0.0.1:${port}/health/${i}`,
    intervalMs: 400,
    timeoutMs: 200,
    conditions: ['[STATUS] == 200'],
  }));
  const monitor = openMonitor({ targets });
  try {
    monitor.start();
    await expect
      .poll(() => monitor.statuses().filter((status) => status.state === 'down').length, {
        timeout: 20_000,
        interval: 250,
      })
      .toBe(24);
  } finally {
    await monitor.stop();
    silent.closeAllConnections();
    silent.close();
  }
});
