import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningDashboardServer, startDashboardServer } from '@fleet/dashboard';
import { DashboardClient } from '@fleet/sdk';
import { type AlertChannel, AlertDelivery, type AlertMessage, AlertOutbox, parseFleet } from '@fleet/sdk/fleet';
import { closedPort } from '@fleet/test-utils/closed-port';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runFleet, until } from './_fleet.ts';

let dir: string;
let dbPath: string;
const statuses = [200, 400];

function message(id: string, title: string): AlertMessage {
  return { id, kind: 'down', severity: 'critical', title, text: '', targets: ['api'], at: '2026-12-05T16:00:00.000Z' };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fleet-cli-alerts-'));
  dbPath = join(dir, 'alerts.db');
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(statuses.shift() ?? 200);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const channel: AlertChannel = {
    name: 'ops',
    type: 'webhook',
    async send(alert) {
      const response = await fetch(url, { method: 'POST', body: JSON.stringify(alert) });
      if (!response.ok) throw Object.assign(new Error(`answered ${response.status}`), { retryable: false });
    },
  };
  const outbox = new AlertOutbox({ dbPath, channels: { ops: channel } });
  outbox.enqueue(message('a1', '[fleet] api is DOWN on vps1'), ['ops']);
  await outbox.deliverDue();
  outbox.enqueue(message('a2', '[fleet] web is DOWN on vps1'), ['ops']);
  await outbox.deliverDue();
  outbox.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('fleet alerts', () => {
  test('--json lists the sent and failed alerts of the outbox, newest first', async () => {
    const run = await runFleet(['alerts', '--db', dbPath, '--json']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const deliveries = AlertDelivery.array().parse(JSON.parse(run.stdout));
    expect(deliveries.map((d) => `${d.status} ${d.message.id} ${d.error}`)).toEqual([
      'failed a2 answered 400',
      'sent a1 null',
    ]);
  });

  test('as a table, one line per delivery', async () => {
    const run = await runFleet(['alerts', '--db', dbPath, '--limit', '1']);
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^AT\s+STATUS\s+CHANNEL\s+KIND\s+TITLE\s+ATTEMPTS$/);
    expect(lines[1]).toMatch(/failed\s+ops\s+down\s+\[fleet\] web is DOWN on vps1\s+1 attempt: answered 400$/);
  });

  test('an empty FLEET_DASHBOARD_URL is unset: the outbox of FLEET_ALERTS_DB is read, no dashboard asked', async () => {
    process.env.FLEET_DASHBOARD_URL = '';
    process.env.FLEET_ALERTS_DB = dbPath;
    try {
      const run = await runFleet(['alerts', '--json']);
      expect(run).toMatchObject({ code: 0, stderr: '' });
      expect(
        AlertDelivery.array()
          .parse(JSON.parse(run.stdout))
          .map((d) => d.message.id),
      ).toEqual(['a2', 'a1']);
    } finally {
      delete process.env.FLEET_DASHBOARD_URL;
      delete process.env.FLEET_ALERTS_DB;
    }
  });

  test('a missing outbox file is a usage error, and nothing is created', async () => {
    const missing = join(dir, 'none.db');
    const run = await runFleet(['alerts', '--db', missing]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain(`no alert outbox at ${missing}`);
    expect(existsSync(missing)).toBe(false);
  });
});

describe('fleet alerts --url: from the dashboard that sends them', () => {
  const TOKEN = 'dash-alerts-token-5b7e';
  let alerting: RunningDashboardServer;
  let silent: RunningDashboardServer;
  let receiver: ReturnType<typeof createServer>;
  const received: string[] = [];

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push((JSON.parse(Buffer.concat(chunks).toString('utf8')) as AlertMessage).title);
        res.end('{}');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/alerts`;
    const base = [
      'version: 1',
      'name: cli-fleet',
      'hosts:',
      '  local: { address: 127.0.0.1 }',
      'wizards:',
      `  ghost: { host: local, port: ${await closedPort()}, health: { failureThreshold: 1 } }`,
    ];
    const alerts = [
      'alerts:',
      '  channels:',
      `    ops: { type: webhook, url: "${receiverUrl}" }`,
      '  rules:',
      '    - { events: [down], channels: [ops] }',
      '  groupWait: 0ms',
    ];
    const withAlerts = parseFleet(`${[...base, ...alerts].join('\n')}\n`, { env: {} });
    const without = parseFleet(`${base.join('\n')}\n`, { env: {} });
    expect([...withAlerts.errors, ...without.errors]).toEqual([]);
    const common = { port: 0, db: ':memory:', probe: false, tokens: [TOKEN] };
    [alerting, silent] = await Promise.all([
      startDashboardServer({ ...common, fleet: withAlerts.value! }),
      startDashboardServer({ ...common, fleet: without.value! }),
    ]);
    await alerting.monitor.probeNow();
    const client = new DashboardClient({ url: alerting.url, token: TOKEN });
    await until(async () => (await client.alerts()).deliveries[0]?.status === 'sent');
  });
  afterAll(async () => {
    await Promise.all([alerting?.close(), silent?.close()]);
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });

  test('--url and --token list what the dashboard sent, as JSON and as a table', async () => {
    expect(received).toEqual(['[cli-fleet] ghost is DOWN on local']);
    const json = await runFleet(['alerts', '--url', alerting.url, '--token', TOKEN, '--json']);
    expect(json).toMatchObject({ code: 0, stderr: '' });
    const deliveries = AlertDelivery.array().parse(JSON.parse(json.stdout));
    expect(deliveries.map((d) => `${d.status} ${d.channel} ${d.message.kind} ${d.message.title}`)).toEqual([
      'sent ops down [cli-fleet] ghost is DOWN on local',
    ]);
    const table = await runFleet(['alerts', '--url', alerting.url, '--token', TOKEN]);
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^AT\s+STATUS\s+CHANNEL\s+KIND\s+TITLE\s+ATTEMPTS$/);
    expect(lines[1]).toMatch(/sent\s+ops\s+down\s+\[cli-fleet\] ghost is DOWN on local\s+1 attempt$/);
    expect(lines).toHaveLength(2);
  });

  test('FLEET_DASHBOARD_URL and FLEET_DASHBOARD_TOKEN select the dashboard without flags; a wrong token is refused', async () => {
    process.env.FLEET_DASHBOARD_URL = alerting.url;
    process.env.FLEET_DASHBOARD_TOKEN = TOKEN;
    try {
      const run = await runFleet(['alerts', '--json']);
      expect(run).toMatchObject({ code: 0, stderr: '' });
      expect(AlertDelivery.array().parse(JSON.parse(run.stdout))).toHaveLength(1);
      const refused = await runFleet(['alerts', '--token', 'not-the-token']);
      expect(refused.code).not.toBe(0);
      expect(refused.stdout).toBe('');
      expect(refused.stderr).toMatch(/unauthori[sz]ed|401/i);
      expect(refused.stderr).not.toContain(TOKEN);
    } finally {
      delete process.env.FLEET_DASHBOARD_URL;
      delete process.env.FLEET_DASHBOARD_TOKEN;
    }
  });

  test('a dashboard whose fleet file has no alerts block says so in one line', async () => {
    const run = await runFleet(['alerts', '--url', silent.url, '--token', TOKEN]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`the dashboard at ${silent.url} sends no alerts (its fleet file has no alerts block)\n`);
    const json = await runFleet(['alerts', '--url', silent.url, '--token', TOKEN, '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual([]);
    expect(json.stderr.trim().split('\n')).toHaveLength(1);
  });

  test('--db and --url together are a usage error', async () => {
    const run = await runFleet(['alerts', '--url', alerting.url, '--db', dbPath]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('give --db (an outbox file) or --url (a dashboard), not both');
  });
});
