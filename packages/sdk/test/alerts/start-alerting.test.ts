import { describe, expect, test, vi } from 'vitest';
import { startAlerting } from '../../src/alerts/start-alerting.ts';
import { openMonitor, startTarget, targetFor } from '../monitor/_monitor.ts';
import {
  alertsSpec,
  freshDbPath,
  onCleanup,
  startAlertReceiver,
  startHeartbeatReceiver,
  testChannel,
  testClock,
} from './_alerting.ts';

describe('startAlerting with a real monitor', () => {
  test('a target that goes down, stays down past a reminder and recovers delivers exactly down, reminder, recovered', async () => {
    const server = await startTarget();
    const receiver = await startAlertReceiver();
    const clock = testClock();
    const monitor = openMonitor({
      targets: [targetFor('api', server.url(), { failureThreshold: 2, successThreshold: 2 })],
      now: clock.now,
    });
    const alerting = startAlerting({
      monitor,
      spec: alertsSpec({
        channels: { ops: { type: 'webhook', url: receiver.url } },
        rules: [{ events: ['down', 'recovered'], channels: ['ops'], remindEvery: '30m' }],
      }),
      dbPath: freshDbPath(),
      clock: clock.now,
      channels: new Map([['ops', testChannel('ops', receiver.url)]]),
    });
    onCleanup(() => alerting.close());
    const probe = async (ms: number) => {
      clock.advance(ms);
      await monitor.probeNow();
      await alerting.outbox.deliverDue();
    };

    await probe(0);
    server.set('/health', { status: 503 });
    await probe(10_000);
    expect(receiver.accepted).toEqual([]);
    await probe(10_000);
    expect(receiver.accepted.map((m) => m.kind)).toEqual(['down']);
    // Down for 25 minutes: no reminder yet.
    for (let i = 0; i < 150; i++) await probe(10_000);
    expect(receiver.accepted.map((m) => m.kind)).toEqual(['down']);
    for (let i = 0; i < 40; i++) await probe(10_000);
    server.set('/health', {});
    await probe(10_000);
    expect(monitor.status('api')?.state).toBe('degraded');
    await probe(10_000);
    expect(monitor.status('api')?.state).toBe('up');
    await probe(10_000);
    expect(receiver.accepted.map((m) => `${m.kind}: ${m.title}`)).toEqual([
      'down: [fleet] api is DOWN on local',
      'reminder: [fleet] api is still DOWN on local',
      'recovered: [fleet] api is back up on local',
    ]);
    expect(alerting.outbox.recent().map((d) => `${d.status} ${d.message.kind}`)).toEqual([
      'sent recovered',
      'sent reminder',
      'sent down',
    ]);
  });

  test("alerts link to the dashboard: alerts.dashboardUrl first, else the caller's; a target's page, the deploys page", async () => {
    const server = await startTarget();
    const receiver = await startAlertReceiver();
    const clock = testClock();
    const monitor = openMonitor({ targets: [targetFor('api', server.url(), { failureThreshold: 1 })], now: clock.now });
    const start = (dashboardUrl: string | undefined) => {
      const alerting = startAlerting({
        monitor,
        spec: alertsSpec({
          rules: [{ events: ['down', 'deploy_failed'], channels: ['ops'] }],
          ...(dashboardUrl === undefined ? {} : { dashboardUrl }),
        }),
        dbPath: freshDbPath(),
        clock: clock.now,
        dashboardUrl: 'http://10.0.0.5:8652',
        channels: new Map([['ops', testChannel('ops', receiver.url)]]),
      });
      onCleanup(() => alerting.close());
      return alerting;
    };
    const behindProxy = start('https://ops.example.org/fleet/');
    server.set('/health', { status: 503 });
    await monitor.probeNow();
    behindProxy.deployFailed({ host: 'local', reason: 'run 1 failed' });
    await behindProxy.outbox.deliverDue();
    behindProxy.close();
    const direct = start(undefined);
    direct.deployFailed({ reason: 'run 2 failed' });
    await direct.outbox.deliverDue();

    expect(receiver.accepted.map((m) => `${m.kind} ${m.url}`)).toEqual([
      'down https://ops.example.org/fleet/services/api',
      'deploy_failed https://ops.example.org/fleet/deploys',
      // A fresh outbox file has no memory of the first down: it alerts it again, with its link.
      'down http://10.0.0.5:8652/services/api',
      'deploy_failed http://10.0.0.5:8652/deploys',
    ]);
  });

  test('a deploy window never pages, even when the target fails through it', async () => {
    const server = await startTarget();
    const receiver = await startAlertReceiver();
    const clock = testClock();
    const monitor = openMonitor({ targets: [targetFor('api', server.url(), { failureThreshold: 2 })], now: clock.now });
    const alerting = startAlerting({
      monitor,
      spec: alertsSpec({
        rules: [{ events: ['down', 'degraded', 'recovered'], channels: ['ops'], remindEvery: '1m' }],
      }),
      dbPath: freshDbPath(),
      clock: clock.now,
      channels: new Map([['ops', testChannel('ops', receiver.url)]]),
    });
    onCleanup(() => alerting.close());
    await monitor.probeNow();
    monitor.markDeploying('local', clock.ms + 60_000);
    server.set('/health', { status: 503 });
    for (let i = 0; i < 5; i++) {
      clock.advance(10_000);
      await monitor.probeNow();
    }
    server.set('/health', {});
    clock.advance(10_000);
    await monitor.probeNow();
    expect(monitor.status('api')?.state).toBe('up');
    await alerting.outbox.deliverDue();
    expect(receiver.received).toEqual([]);
  });

  test('a silence stored in the outbox (fleet silence) suppresses, and the alert comes when it ends', async () => {
    const server = await startTarget();
    const receiver = await startAlertReceiver();
    const clock = testClock();
    const monitor = openMonitor({ targets: [targetFor('api', server.url(), { failureThreshold: 1 })], now: clock.now });
    const alerting = startAlerting({
      monitor,
      spec: alertsSpec({ rules: [{ events: ['down'], channels: ['ops'] }] }),
      dbPath: freshDbPath(),
      clock: clock.now,
      channels: new Map([['ops', testChannel('ops', receiver.url)]]),
    });
    onCleanup(() => alerting.close());
    alerting.outbox.addSilence({
      targets: ['api'],
      from: new Date(clock.ms).toISOString(),
      until: new Date(clock.ms + 60_000).toISOString(),
    });
    server.set('/health', { status: 503 });
    await monitor.probeNow();
    await alerting.outbox.deliverDue();
    expect(receiver.received).toEqual([]);
    clock.advance(60_000);
    await monitor.probeNow();
    await alerting.outbox.deliverDue();
    expect(receiver.accepted.map((m) => m.kind)).toEqual(['down']);
  });

  test('the heartbeat URL is called when alerting starts', async () => {
    const heartbeat = await startHeartbeatReceiver();
    const server = await startTarget();
    const monitor = openMonitor({ targets: [targetFor('api', server.url())] });
    const spec = alertsSpec({ heartbeat: { url: heartbeat.url } });
    const alerting = startAlerting({ monitor, spec, dbPath: freshDbPath() });
    onCleanup(() => alerting.close());
    while (heartbeat.calls() === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(heartbeat.calls()).toBe(1);
  });

  test('scheduled reports without a report builder are warned about, not dropped in silence', async () => {
    const server = await startTarget();
    const monitor = openMonitor({ targets: [targetFor('api', server.url())] });
    const spec = alertsSpec({
      channels: { ops: { type: 'webhook', url: 'http://127.0.0.1:9/hook' } },
      reports: [
        { name: 'morning', schedule: '0 7 * * *', channels: ['ops'] },
        { schedule: '0 19 * * *', channels: ['ops'] },
      ],
    });
    const start = (report?: () => Promise<never>) => {
      const warnings: string[] = [];
      const alerting = startAlerting({
        monitor,
        spec,
        dbPath: freshDbPath(),
        logger: { warn: (...args: unknown[]) => warnings.push(args.join(' ')) },
        ...(report === undefined ? {} : { report }),
      });
      onCleanup(() => alerting.close());
      return { alerting, warnings };
    };

    const without = start();
    expect(without.alerting.reports).toBeUndefined();
    expect(without.warnings).toEqual([
      'fleet alerts: alerts.reports schedules morning, report-1, but startAlerting was given no report builder: none of them will be sent (pass its `report` option)',
    ]);
    const withBuilder = start(() => Promise.reject(new Error('not built in this test')));
    expect(withBuilder.alerting.reports).toBeDefined();
    expect(withBuilder.warnings).toEqual([]);
  });

  test('without a logger, the warning about unsent reports goes to the console', async () => {
    const server = await startTarget();
    const monitor = openMonitor({ targets: [targetFor('api', server.url())] });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    onCleanup(() => warn.mockRestore());
    const alerting = startAlerting({
      monitor,
      spec: alertsSpec({
        channels: { ops: { type: 'webhook', url: 'http://127.0.0.1:9/hook' } },
        reports: [{ name: 'morning', schedule: '0 7 * * *', channels: ['ops'] }],
      }),
      dbPath: freshDbPath(),
    });
    onCleanup(() => alerting.close());
    expect(warn.mock.calls).toEqual([[expect.stringMatching(/^fleet alerts: alerts\.reports schedules morning, /)]]);
  });
});
