import { existsSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DashboardClient } from '@fleet/sdk';
import { AlertMessage, AlertOutbox } from '@fleet/sdk/fleet';
import { describe, expect, test } from 'vitest';
import { fleetYaml, get, onCleanup, startTestFleet } from './_dashboard.ts';

async function startReceiver(): Promise<{ url: string; received: AlertMessage[] }> {
  const received: AlertMessage[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push(AlertMessage.parse(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onCleanup(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/alerts`, received };
}

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe('dashboard alerting', () => {
  test("a fleet file's alerts block makes the dashboard send its monitor's alerts, from a reload on", async () => {
    const receiver = await startReceiver();
    const { dashboard, api, wizard, config, dir } = await startTestFleet();
    const alerts = [
      'alerts:',
      '  channels:',
      `    ops: { type: webhook, url: "${receiver.url}" }`,
      '  rules:',
      '    - { events: [down, recovered], channels: [ops] }',
      '  groupWait: 0ms',
      '',
    ].join('\n');
    // The fleet's own dashboard service: alerts link to their pages on it.
    const port = new URL(dashboard.url).port;
    const self = `  dash:\n    kind: dashboard\n    host: local\n    port: ${port}\n`;
    writeFileSync(config, fleetYaml(api.port, wizard.port, self) + alerts);
    await dashboard.reload();

    api.setHealthy(false);
    await dashboard.monitor.probeNow();
    await until(() => receiver.received.length === 1);
    api.setHealthy(true);
    await dashboard.monitor.probeNow();
    await until(() => receiver.received.length === 2);
    expect(receiver.received.map((message) => message.title)).toEqual([
      '[test-fleet] api is DOWN on local',
      '[test-fleet] api is back up on local',
    ]);
    expect(receiver.received.map((message) => message.url)).toEqual([
      `http://127.0.0.1:${port}/services/api`,
      `http://127.0.0.1:${port}/services/api`,
    ]);

    // What `fleet alerts` reads: the outbox next to the dashboard's history.
    const outboxPath = join(dir, 'fleet-alerts.db');
    expect(existsSync(outboxPath)).toBe(true);
    await until(() => {
      const reader = new AlertOutbox({ dbPath: outboxPath, channels: {} });
      const sent = reader.recent().filter((delivery) => delivery.status === 'sent').length;
      reader.close();
      return sent === 2;
    });
  });

  test('/api/alerts and the /alerts page list what was sent; without an alerts block they say alerting is off', async () => {
    const receiver = await startReceiver();
    const { dashboard, api, wizard, config } = await startTestFleet();
    const client = new DashboardClient({ url: dashboard.url });
    expect(await client.alerts()).toEqual({ enabled: false, deliveries: [], count: 0 });
    expect(await (await get(dashboard, '/alerts')).text()).toContain('this dashboard sends no alerts');

    const alerts = `alerts:\n  channels:\n    ops: { type: webhook, url: "${receiver.url}" }\n  rules:\n    - { events: [down], channels: [ops] }\n  groupWait: 0ms\n`;
    writeFileSync(config, fleetYaml(api.port, wizard.port) + alerts);
    await dashboard.reload();
    api.setHealthy(false);
    await dashboard.monitor.probeNow();
    await until(() => receiver.received.length === 1);
    let answer = await client.alerts(10);
    while (answer.deliveries[0]?.status !== 'sent') answer = await client.alerts(10);
    expect(answer).toMatchObject({
      enabled: true,
      count: 1,
      deliveries: [
        {
          channel: 'ops',
          status: 'sent',
          attempts: 1,
          message: { kind: 'down', title: '[test-fleet] api is DOWN on local' },
        },
      ],
    });
    const page = await (await get(dashboard, '/alerts')).text();
    expect(page).toMatch(/<tr data-status="sent" data-kind="down">/);
    expect(page).toContain('[test-fleet] api is DOWN on local');
  });

  test('a deploy run reported failed is alerted once as deploy_failed, per failed host', async () => {
    const receiver = await startReceiver();
    const { dashboard, api, wizard, config } = await startTestFleet();
    const alerts = `alerts:\n  channels:\n    ops: { type: webhook, url: "${receiver.url}" }\n  rules:\n    - { events: [deploy_failed], channels: [ops] }\n`;
    writeFileSync(config, fleetYaml(api.port, wizard.port) + alerts);
    await dashboard.reload();
    const client = new DashboardClient({ url: dashboard.url });
    const at = (second: number) => new Date(Date.UTC(2025, 0, 31, 12, 0, second)).toISOString();
    const run = { id: 'r1', trigger: 'webhook', mode: 'apply', commit: 'bad1' } as const;
    const counts = { ok: 1, changed: 0, failed: 1, skipped: 0, mayChange: 0 };
    await client.postDeployEvents({
      run,
      events: [
        { type: 'run_started', at: at(0), runId: 'r1', mode: 'apply', batches: [['local']] },
        { type: 'host_started', at: at(0), host: 'local', mode: 'apply' },
        {
          type: 'host_finished',
          at: at(2),
          host: 'local',
          result: {
            host: 'local',
            mode: 'apply',
            status: 'failed',
            aborted: false,
            phases: [],
            counts,
            durationMs: 2000,
          },
        },
        { type: 'gate_failed', at: at(2), host: 'local', step: 'health api', reason: 'HTTP 503' },
        { type: 'run_finished', at: at(3), runId: 'r1', status: 'failed' },
      ],
    });
    // A late batch of the same run is no new failure.
    await client.postDeployEvents({
      run,
      events: [{ type: 'run_finished', at: at(4), runId: 'r1', status: 'failed' }],
    });
    await until(() => receiver.received.length === 1);
    expect(receiver.received[0]).toMatchObject({
      kind: 'deploy_failed',
      title: '[test-fleet] deploy FAILED on local',
      host: 'local',
    });
    expect(receiver.received[0]?.text).toContain('Reason: run r1 (commit bad1)');
    let deliveries = await client.alerts();
    while (deliveries.deliveries.some((d) => d.status === 'pending')) deliveries = await client.alerts();
    expect(deliveries.deliveries.map((d) => d.message.kind)).toEqual(['deploy_failed']);
  });

  test("a report of the fleet file's alerts.reports, sent now, reaches its webhook with the fleet's targets", async () => {
    const receiver = await startReceiver();
    const { dashboard, api, wizard, config } = await startTestFleet();
    const alerts = [
      'alerts:',
      '  channels:',
      `    ops: { type: webhook, url: "${receiver.url}" }`,
      '  reports:',
      // New Year's Day only: the schedule itself stays out of the way of the test.
      "    - { name: morning, schedule: '0 7 1 1 *', timezone: Europe/Berlin, since: 7d, channels: [ops] }",
      '',
    ].join('\n');
    writeFileSync(config, fleetYaml(api.port, wizard.port) + alerts);
    await dashboard.reload();
    api.setHealthy(false);
    await dashboard.monitor.probeNow();

    await expect(dashboard.sendReport('evening')).rejects.toThrow('no report named "evening"');
    const sent = await dashboard.sendReport('morning');
    await until(() => receiver.received.length === 1);
    const [message] = receiver.received;
    expect(message).toMatchObject({
      id: sent.id,
      kind: 'report',
      title: '[test-fleet] Fleet report: morning, last 7d',
    });
    expect(message?.report?.fleet).toBe('test-fleet');
    expect(message?.report?.targets.map((target) => `${target.id} ${target.host} ${target.state}`)).toEqual([
      'api local down',
      'merlin local up',
    ]);
    expect(message?.report?.gaps).toEqual([]);
    expect(message?.text).toContain('api');
    // The alerts listing shows the report's text, not its object.
    const client = new DashboardClient({ url: dashboard.url });
    const listed = (await client.alerts()).deliveries[0]?.message;
    expect(listed?.kind).toBe('report');
    expect(listed && 'report' in listed).toBe(false);
  });
});
