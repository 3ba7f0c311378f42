import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type RunningBusServer, startBusServer } from '@fleet/bus-server';
import { type RunningDashboardServer, startDashboardServer } from '@fleet/dashboard';
import { BusClient, DashboardClient, FleetStatus } from '@fleet/sdk';
import { parseFleet } from '@fleet/sdk/fleet';
import { closedPort } from '@fleet/test-utils/closed-port';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { formatFleetStatus } from '../src/index.ts';
import { runFleet, tempDir, until } from './_fleet.ts';

let bus: RunningBusServer;
let dashboard: RunningDashboardServer;
let locked: RunningDashboardServer;

function fleetText(busPort: number, ghostPort: number): string {
  return [
    'version: 1',
    'hosts:',
    '  local: { address: 127.0.0.1 }',
    '  spare: { address: localhost }',
    'services:',
    `  bus: { kind: bus, host: local, port: ${busPort} }`,
    'wizards:',
    `  ghost: { host: spare, port: ${ghostPort}, health: { failureThreshold: 1 } }`,
    '',
  ].join('\n');
}

beforeAll(async () => {
  bus = await startBusServer({ port: 0, db: ':memory:' });
  await new BusClient({ url: bus.url }).send({ from: 'a', to: 'worker', payload: 1 });
  const { value: fleet, errors } = parseFleet(fleetText(bus.port, await closedPort()), { env: {} });
  expect(errors).toEqual([]);
  const common = { fleet: fleet!, port: 0, db: ':memory:', probe: false } as const;
  [dashboard, locked] = await Promise.all([
    startDashboardServer(common),
    startDashboardServer({ ...common, tokens: ['s3cret'] }),
  ]);
  await Promise.all([dashboard.monitor.probeNow(), locked.monitor.probeNow()]);
  await Promise.all([settled(dashboard.url), settled(locked.url, 's3cret')]);
});
afterAll(async () => {
  await Promise.all([dashboard.close(), locked.close(), bus.close()]);
});

/** Waits until the dashboard's cached status shows the probes' outcome (it is rebuilt lazily). */
async function settled(url: string, token?: string): Promise<void> {
  const client = new DashboardClient({ url, ...(token ? { token } : {}) });
  await until(async () => {
    const { hosts } = await client.status();
    return hosts.every((host) => host.targets.every((target) => target.state !== 'unknown'));
  });
}

/** `fleet status --json` against `url`, parsed. */
async function statusOf(url: string, extra: string[] = []): Promise<FleetStatus> {
  const run = await runFleet(['status', '--url', url, '--json', ...extra]);
  expect(run).toMatchObject({ code: 0, stderr: '' });
  return FleetStatus.parse(JSON.parse(run.stdout));
}

describe('fleet status', () => {
  test('--json prints the dashboard status as one JSON document', async () => {
    const status = await statusOf(dashboard.url);
    expect(status.hosts.map((host) => [host.name, host.targets.map((t) => [t.id, t.state])])).toEqual([
      ['local', [['bus', 'up']]],
      ['spare', [['ghost', 'down']]],
    ]);
    expect(status.bus[0]?.recipients).toContainEqual(expect.objectContaining({ agent: 'worker', ready: 1 }));
  });

  test('prints a table per host, then the bus backlog', async () => {
    const status = await statusOf(dashboard.url);
    const run = await runFleet(['status', '--url', dashboard.url]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`${formatFleetStatus(status).join('\n')}\n`);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toMatch(/^fleet at \S+: 1 up, 0 degraded, 1 down, 0 unknown, 0 deploying$/);
    const local = lines.indexOf('local (127.0.0.1)');
    const spare = lines.indexOf('spare (localhost)');
    expect(local).toBeGreaterThan(0);
    expect(spare).toBeGreaterThan(local);
    expect(lines[local + 1]).toMatch(/^ {2}TARGET\s+KIND\s+STATE\s+SINCE\s+TIME\s+UPTIME 24H\s+ERROR$/);
    expect(lines[local + 2]).toMatch(/^ {2}bus\s+bus\s+up\s+\S+\s+\d+ ms\s+100\.00%\s+-$/);
    // A refused connection has no response time: its TIME is `-`, not the probe's duration.
    expect(lines[spare + 2]).toMatch(/^ {2}ghost\s+wizard\s+down\s+\S+\s+-\s+0\.00%\s+.*refused/i);
    expect(lines).toContain('bus backlog: bus');
    // The same columns and units as `fleet-bus stats`: one formatter, formatBacklog.
    const backlog = lines.indexOf('bus backlog: bus');
    expect(lines[backlog + 1]).toMatch(/^ {2}AGENT\s+READY\s+IN-FLIGHT\s+DELAYED\s+DEAD\s+OLDEST READY$/);
    expect(lines[backlog + 2]).toMatch(/^ {2}worker\s+1\s+0\s+0\s+0\s+\d+\.\d s$/);
    expect(lines[backlog + 3]).toMatch(/^ {2}total\s+1\s+0\s+0\s+0$/);
  });

  test('uptime short of perfect never reads 100%, as on the dashboard and in the report', async () => {
    const status = await statusOf(dashboard.url);
    const bus = status.hosts[0]!.targets[0]!;
    const shown = {
      ...status,
      hosts: [{ ...status.hosts[0]!, targets: [{ ...bus, uptime: { ...bus.uptime, '24h': 0.9996 } }] }],
    };
    const row = formatFleetStatus(shown).find((line) => line.startsWith('  bus '));
    expect(row).toMatch(/\s99\.96%\s/);
  });

  test('needs the token of a dashboard that has tokens', async () => {
    const refused = await runFleet(['status', '--url', locked.url]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^fleet: unauthorized: /);
    expect(refused.stderr).not.toContain('s3cret');
    const status = await statusOf(locked.url, ['--token', 's3cret']);
    expect(status.hosts).toHaveLength(2);
  });

  test("without --url, the fleet file's dashboard is asked, with its token, as fleet report does", async () => {
    const dir = tempDir('fleet-status-file-');
    const text = [
      'version: 1',
      'hosts:',
      '  local: { address: 127.0.0.1 }',
      'services:',
      `  ops: { kind: dashboard, host: local, port: ${locked.port}, token: "\${FLEET_STATUS_TEST_TOKEN}" }`,
      '',
    ].join('\n');
    writeFileSync(join(dir, 'fleet.yaml'), text);
    process.env.FLEET_STATUS_TEST_TOKEN = 's3cret';
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const run = await runFleet(['status', '--json']);
      expect(run).toMatchObject({ code: 0, stderr: '' });
      expect(FleetStatus.parse(JSON.parse(run.stdout)).hosts).toHaveLength(2);
      // --config names the file from elsewhere too.
      process.chdir(cwd);
      const named = await runFleet(['status', '--json', '--config', join(dir, 'fleet.yaml')]);
      expect(named).toMatchObject({ code: 0, stderr: '' });
      // The file's token goes only to the file's dashboard, never to a URL given on the command line.
      const other = await runFleet(['status', '--url', locked.url, '--config', join(dir, 'fleet.yaml')]);
      expect(other.code).toBe(1);
      expect(other.stderr).toMatch(/^fleet: unauthorized: /);
    } finally {
      process.chdir(cwd);
      delete process.env.FLEET_STATUS_TEST_TOKEN;
    }
  });

  test('an unreachable dashboard is one line and exit 1', async () => {
    const run = await runFleet(['status', '--url', `http://127.0.0.1:${await closedPort()}`]);
    expect(run.code).toBe(1);
    expect(run.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(run.stderr).toMatch(/^fleet: /);
  });
});
