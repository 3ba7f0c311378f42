import { describe, expect, test } from 'vitest';
import { type AlertDispatch, AlertEngine } from '../../src/alerts/alert-engine.ts';
import { AlertOutbox } from '../../src/alerts/alert-outbox.ts';
import type { AlertEvent } from '../../src/alerts/alerts-spec.ts';
import { startAlerting } from '../../src/alerts/start-alerting.ts';
import { FleetMonitor } from '../../src/monitor/fleet-monitor.ts';
import type { TargetState } from '../../src/schemas/monitor.ts';
import { freshDbPath as monitorDbPath, openMonitor, startTarget, targetFor } from '../monitor/_monitor.ts';
import { alertsSpec, freshDbPath, onCleanup, startAlertReceiver, T0, testChannel, testClock } from './_alerting.ts';

describe('alerting across a restart', () => {
  test('a target still down when alerting restarts after a gap (restored unknown) gets no recovered and no second down', async () => {
    const server = await startTarget();
    server.set('/health', { status: 503 });
    const receiver = await startAlertReceiver();
    const clock = testClock();
    const targets = [targetFor('api', server.url(), { failureThreshold: 1, successThreshold: 1, intervalMs: 30_000 })];
    const monitorDb = monitorDbPath();
    const alertsDb = freshDbPath();
    const start = (monitor: FleetMonitor) =>
      startAlerting({
        monitor,
        spec: alertsSpec({ rules: [{ events: ['down', 'recovered'], channels: ['ops'] }], groupWait: '0s' }),
        dbPath: alertsDb,
        clock: clock.now,
        channels: new Map([['ops', testChannel('ops', receiver.url)]]),
      });
    const kinds = () => receiver.accepted.map((m) => m.kind);

    const first = new FleetMonitor({ targets, dbPath: monitorDb, now: clock.now, rollupIntervalMs: 0 });
    const before = start(first);
    await first.probeNow();
    await before.outbox.deliverDue();
    expect(kinds()).toEqual(['down']);
    before.close();
    first.close();

    // Back five minutes later: more than two intervals, so the monitor no longer vouches for the state.
    clock.advance(5 * 60_000);
    const monitor = openMonitor({ targets, dbPath: monitorDb, now: clock.now });
    expect(monitor.status('api')?.state).toBe('unknown');
    const alerting = start(monitor);
    onCleanup(() => alerting.close());
    await alerting.outbox.deliverDue();
    expect(kinds()).toEqual(['down']);

    clock.advance(30_000);
    await monitor.probeNow();
    expect(monitor.status('api')?.state).toBe('down');
    await alerting.outbox.deliverDue();
    expect(kinds()).toEqual(['down']);

    server.set('/health', {});
    clock.advance(30_000);
    await monitor.probeNow();
    expect(monitor.status('api')?.state).toBe('up');
    await alerting.outbox.deliverDue();
    expect(kinds()).toEqual(['down', 'recovered']);
  });
});

describe('AlertEngine restarted while a target has no real state', () => {
  const channels = { ops: { type: 'webhook', url: 'http://127.0.0.1:9/alerts' } } as const;
  const kinds = (dispatches: AlertDispatch[]) => dispatches.map((d) => `${d.message.kind} ${d.message.targets}`);

  /** An engine on the outbox file `dbPath`, at `now`, and a way to feed it transitions. */
  function engineOn(dbPath: string, now: number, events: AlertEvent[] = ['down', 'degraded', 'recovered']) {
    const outbox = new AlertOutbox({ dbPath, channels: {} });
    onCleanup(() => outbox.close());
    const spec = alertsSpec({ channels, rules: [{ events, channels: ['ops'] }], groupWait: '0s' });
    const engine = new AlertEngine({ spec, now: () => now, memory: outbox.engineMemory() });
    const go = (target: string, from: TargetState, to: TargetState) =>
      kinds(engine.transition({ target, at: new Date(now).toISOString(), from, to, reason: `now ${to}` }));
    return { outbox, engine, go };
  }

  test('leaving deploying after a restart: unknown, down, degraded send nothing; only a real up sends recovered', () => {
    const dbPath = freshDbPath();
    const first = engineOn(dbPath, T0);
    expect(kinds(first.engine.setTargets([{ id: 'api', host: 'a', state: 'up', since: null }]))).toEqual([]);
    expect(first.go('api', 'up', 'down')).toEqual(['down api']);
    first.outbox.close();

    const after = engineOn(dbPath, T0 + 10 * 60_000);
    expect(kinds(after.engine.setTargets([{ id: 'api', host: 'a', state: 'deploying', since: null }]))).toEqual([]);
    expect(kinds(after.engine.tick())).toEqual([]);
    expect(after.go('api', 'deploying', 'unknown')).toEqual([]);
    expect(after.go('api', 'unknown', 'down')).toEqual([]);
    // Recovering from down shows degraded first: not a new alert, and the down still stands.
    expect(after.go('api', 'down', 'degraded')).toEqual([]);
    expect(after.go('api', 'degraded', 'down')).toEqual([]);
    expect(after.go('api', 'down', 'up')).toEqual(['recovered api']);
  });

  test('a host down before the restart is not recovered while its targets are unknown, only when one is up', () => {
    const dbPath = freshDbPath();
    const targets = (state: TargetState) => [
      { id: 'api', host: 'a', state, since: null },
      { id: 'web', host: 'a', state, since: null },
    ];
    const first = engineOn(dbPath, T0, ['down', 'recovered']);
    expect(kinds(first.engine.setTargets(targets('down')))).toEqual(['host_down api,web']);
    first.outbox.close();

    const after = engineOn(dbPath, T0 + 10 * 60_000, ['down', 'recovered']);
    expect(kinds(after.engine.setTargets(targets('unknown')))).toEqual([]);
    expect(after.go('api', 'unknown', 'down')).toEqual([]);
    expect(after.go('web', 'unknown', 'down')).toEqual([]);
    expect(after.go('web', 'down', 'up')).toEqual(['host_recovered api,web', 'down api']);
  });
});
