import Database from 'better-sqlite3';
import { describe, expect, test } from 'vitest';
import { AlertEngine, type AlertEngineMemory, type AlertNotified } from '../../src/alerts/alert-engine.ts';
import { startAlerting } from '../../src/alerts/start-alerting.ts';
import type { FleetMonitor } from '../../src/monitor/fleet-monitor.ts';
import { openMonitor, startTarget, targetFor } from '../monitor/_monitor.ts';
import {
  alertsSpec,
  downMessage,
  freshDbPath,
  onCleanup,
  startAlertReceiver,
  T0,
  testChannel,
  testClock,
} from './_alerting.ts';

/**
 * Makes inserts into the outbox's `pending` table fail (those `when` matches, else every one),
 * through a second connection to the file; returns the function that ends it.
 */
function failEnqueues(dbPath: string, when = 'true'): () => void {
  const raw = new Database(dbPath);
  raw.exec(`CREATE TRIGGER fail_enqueue BEFORE INSERT ON pending WHEN ${when}
    BEGIN SELECT RAISE(ABORT, 'disk full'); END`);
  return () => {
    raw.exec('DROP TRIGGER fail_enqueue');
    raw.close();
  };
}

describe('an alert whose enqueue fails', () => {
  async function setUp() {
    const server = await startTarget();
    const receiver = await startAlertReceiver();
    const clock = testClock();
    const monitor = openMonitor({
      targets: [targetFor('api', server.url(), { failureThreshold: 1, successThreshold: 1 })],
      now: clock.now,
    });
    const dbPath = freshDbPath();
    const start = (on: FleetMonitor) => {
      const alerting = startAlerting({
        monitor: on,
        spec: alertsSpec({ rules: [{ events: ['down', 'recovered'], channels: ['ops'] }] }),
        dbPath,
        clock: clock.now,
        channels: new Map([['ops', testChannel('ops', receiver.url)]]),
      });
      onCleanup(() => alerting.close());
      return alerting;
    };
    const kinds = () => receiver.accepted.map((m) => m.kind);
    return { server, receiver, clock, monitor, dbPath, start, kinds };
  }

  test('is not recorded as told: the next tick queues it, and it is delivered once', async () => {
    const { server, clock, monitor, dbPath, start, kinds } = await setUp();
    const alerting = start(monitor);
    const restore = failEnqueues(dbPath);
    server.set('/health', { status: 503 });
    await monitor.probeNow();
    expect(monitor.status('api')?.state).toBe('down');
    await alerting.outbox.deliverDue();
    expect(kinds()).toEqual([]);
    expect(alerting.outbox.recent()).toEqual([]);

    restore();
    clock.advance(10_000);
    alerting.tick();
    await alerting.outbox.deliverDue();
    expect(kinds()).toEqual(['down']);
    // Nothing failed since: no second down.
    clock.advance(10_000);
    await monitor.probeNow();
    alerting.tick();
    await alerting.outbox.deliverDue();
    expect(kinds()).toEqual(['down']);

    server.set('/health', {});
    clock.advance(10_000);
    await monitor.probeNow();
    expect(monitor.status('api')?.state).toBe('up');
    await alerting.outbox.deliverDue();
    expect(kinds()).toEqual(['down', 'recovered']);
  });

  test('is not remembered across a restart: the next process alerts it, once', async () => {
    const { server, clock, monitor, dbPath, start, kinds } = await setUp();
    const before = start(monitor);
    const restore = failEnqueues(dbPath);
    server.set('/health', { status: 503 });
    await monitor.probeNow();
    expect(monitor.status('api')?.state).toBe('down');
    // The process ends before any later tick could retry.
    before.close();
    restore();

    clock.advance(10_000);
    const after = start(monitor);
    await after.outbox.deliverDue();
    expect(kinds()).toEqual(['down']);
    after.tick();
    await after.outbox.deliverDue();
    expect(kinds()).toEqual(['down']);
  });

  test('a pass whose second alert fails to queue sends neither; the next sends each once', async () => {
    const api = await startTarget();
    const web = await startTarget();
    const receiver = await startAlertReceiver();
    const clock = testClock();
    const monitor = openMonitor({
      targets: [
        targetFor('api', api.url(), { failureThreshold: 1, host: 'a' }),
        targetFor('web', web.url(), { failureThreshold: 1, host: 'b' }),
      ],
      now: clock.now,
    });
    const dbPath = freshDbPath();
    const alerting = startAlerting({
      monitor,
      spec: alertsSpec({ rules: [{ events: ['down'], channels: ['ops'] }] }),
      dbPath,
      clock: clock.now,
      channels: new Map([['ops', testChannel('ops', receiver.url)]]),
    });
    onCleanup(() => alerting.close());
    // Both go down under a silence; its end alerts both in one pass, api's first.
    alerting.outbox.addSilence({
      targets: ['api', 'web'],
      from: new Date(clock.ms).toISOString(),
      until: new Date(clock.ms + 60_000).toISOString(),
    });
    api.set('/health', { status: 503 });
    web.set('/health', { status: 503 });
    await monitor.probeNow();
    const restore = failEnqueues(dbPath, `new.message LIKE '%web is DOWN%'`);
    clock.advance(60_000);
    expect(() => alerting.tick()).toThrow('disk full');
    // Queued behind whatever the channel has in flight: its delivery shows whether api's started.
    alerting.outbox.enqueue(downMessage('marker'), ['ops']);
    await alerting.outbox.deliverDue();
    expect(receiver.received.map((m) => m.title)).toEqual(['[fleet] marker is DOWN on a']);

    restore();
    alerting.tick();
    await alerting.outbox.deliverDue();
    alerting.tick();
    await alerting.outbox.deliverDue();
    expect(receiver.accepted.map((m) => m.title)).toEqual([
      '[fleet] marker is DOWN on a',
      '[fleet] api is DOWN on a',
      '[fleet] web is DOWN on b',
    ]);
  });
});

test('a timer tick whose enqueue fails is logged once and does not end the process', async () => {
  const server = await startTarget();
  const receiver = await startAlertReceiver();
  const monitor = openMonitor({ targets: [targetFor('api', server.url(), { failureThreshold: 1 })] });
  const dbPath = freshDbPath();
  const warnings: string[] = [];
  const alerting = startAlerting({
    monitor,
    spec: alertsSpec({ rules: [{ events: ['down'], channels: ['ops'] }] }),
    dbPath,
    tickMs: 20,
    logger: { warn: (line: string) => warnings.push(line) },
    channels: new Map([['ops', testChannel('ops', receiver.url)]]),
  });
  onCleanup(() => alerting.close());
  const restore = failEnqueues(dbPath);
  server.set('/health', { status: 503 });
  await monitor.probeNow();
  expect(monitor.status('api')?.state).toBe('down');
  // Several ticks fail (an exception thrown from the timer would fail this test run as unhandled).
  await new Promise((resolve) => setTimeout(resolve, 200));
  expect(warnings).toEqual([expect.stringMatching(/^fleet alerts: queueing alerts failed.*: disk full$/)]);

  restore();
  await expect.poll(() => alerting.outbox.recent().length, { timeout: 5_000 }).toBeGreaterThan(0);
  await alerting.outbox.deliverDue();
  expect(receiver.accepted.map((m) => m.kind)).toEqual(['down']);
});

describe('AlertEngine.atomically', () => {
  test('with a memory without transactions, a pass that throws leaves memory and engine as before it', () => {
    const stored = new Map<string, AlertNotified>();
    const memory: AlertEngineMemory = {
      load: () => [...stored],
      save: (key, value) => (value ? stored.set(key, value) : stored.delete(key)),
    };
    const spec = alertsSpec({ rules: [{ events: ['down'], channels: ['ops'] }] });
    const engine = new AlertEngine({ spec, now: () => T0, memory });
    const down = [{ id: 'api', host: 'a', state: 'down' as const, since: new Date(T0).toISOString() }];
    expect(() =>
      engine.atomically(() => {
        expect(engine.setTargets(down).map((d) => d.message.kind)).toEqual(['down']);
        throw new Error('disk full');
      }),
    ).toThrow('disk full');
    expect(stored.size).toBe(0);
    expect(engine.atomically(() => engine.tick()).map((d) => d.message.kind)).toEqual(['down']);
    expect(stored.size).toBe(1);
    expect(engine.tick()).toEqual([]);
  });
});
