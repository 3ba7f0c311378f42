import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type RunningDashboardServer, startDashboardServer } from '@fleet/dashboard';
import { DashboardClient } from '@fleet/sdk';
import { AlertDelivery, AlertOutbox, parseFleet } from '@fleet/sdk/fleet';
import { closedPort } from '@fleet/test-utils/closed-port';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { runFleet, tempDir, until } from './_fleet.ts';

// `fleet silence` and `fleet alerts` without --db run in the directory `fleet up` ran in: the
// outbox is the dashboard's, next to its history in .fleet/.
let cwd: string;
let here: string;
const saved = { alertsDb: process.env.FLEET_ALERTS_DB, dashboardUrl: process.env.FLEET_DASHBOARD_URL };

beforeEach(() => {
  cwd = process.cwd();
  here = tempDir('fleet-cli-outbox-');
  process.chdir(here);
  delete process.env.FLEET_ALERTS_DB;
  delete process.env.FLEET_DASHBOARD_URL;
});
afterEach(() => {
  process.chdir(cwd);
  for (const [key, value] of [
    ['FLEET_ALERTS_DB', saved.alertsDb],
    ['FLEET_DASHBOARD_URL', saved.dashboardUrl],
  ] as const) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

/** A dashboard as `fleet up` runs it (history in .fleet/), whose fleet file sends alerts; one is pending. */
async function dashboardInFleetDir(): Promise<RunningDashboardServer> {
  const fleet = parseFleet(
    [
      'version: 1',
      'hosts:',
      '  local: { address: 127.0.0.1 }',
      'wizards:',
      `  ghost: { host: local, port: ${await closedPort()}, health: { failureThreshold: 1 } }`,
      'alerts:',
      '  channels:',
      `    ops: { type: webhook, url: "http://127.0.0.1:${await closedPort()}/alerts" }`,
      '  rules:',
      '    - { events: [down], channels: [ops] }',
      '  groupWait: 0ms',
      '',
    ].join('\n'),
    { env: {} },
  );
  expect(fleet.errors).toEqual([]);
  mkdirSync(join(here, '.fleet'));
  const dashboard = await startDashboardServer({
    fleet: fleet.value!,
    port: 0,
    db: join(here, '.fleet', 'fleet-dashboard.db'),
    probe: false,
  });
  await dashboard.monitor.probeNow();
  const client = new DashboardClient({ url: dashboard.url });
  await until(async () => (await client.alerts()).deliveries.length > 0);
  return dashboard;
}

describe('the alert outbox without --db', () => {
  test("fleet silence writes to the outbox of fleet up's dashboard in .fleet/, and fleet alerts reads it", async () => {
    const dashboard = await dashboardInFleetDir();
    try {
      expect(existsSync('.fleet/fleet-alerts.db')).toBe(true);
      const set = await runFleet(['silence', '--host', 'local', '--for', '2h', '--reason', 'maintenance', '--json']);
      expect(set).toMatchObject({ code: 0, stderr: '' });
      const { id } = JSON.parse(set.stdout) as { id: number };
      expect(existsSync('fleet-alerts.db')).toBe(false);

      const list = await runFleet(['silence', '--list']);
      expect(list.code).toBe(0);
      expect(list.stdout).toMatch(new RegExp(`^${id}\\s.*host local\\s+maintenance$`, 'm'));

      const alerts = await runFleet(['alerts', '--json']);
      expect(alerts).toMatchObject({ code: 0, stderr: '' });
      const deliveries = AlertDelivery.array().parse(JSON.parse(alerts.stdout));
      expect(deliveries.map((delivery) => delivery.message.title)).toEqual(['[fleet] ghost is DOWN on local']);
    } finally {
      await dashboard.close();
    }
    // The very file the dashboard reads at every check holds the silence.
    const outbox = new AlertOutbox({ dbPath: join(here, '.fleet', 'fleet-alerts.db'), channels: {} });
    expect(outbox.silences().map((silence) => silence.hosts)).toEqual([['local']]);
    outbox.close();
  });

  test('./fleet-alerts.db, when there is one, comes before the one in .fleet/', async () => {
    mkdirSync('.fleet');
    for (const path of ['fleet-alerts.db', '.fleet/fleet-alerts.db'])
      new AlertOutbox({ dbPath: path, channels: {} }).close();
    expect(await runFleet(['silence', '--target', 'bus', '--for', '1h'])).toMatchObject({ code: 0, stderr: '' });
    const own = new AlertOutbox({ dbPath: 'fleet-alerts.db', channels: {} });
    const fleetUps = new AlertOutbox({ dbPath: '.fleet/fleet-alerts.db', channels: {} });
    expect([own.silences().length, fleetUps.silences().length]).toEqual([1, 0]);
    own.close();
    fleetUps.close();
  });

  test('with no outbox, fleet silence refuses to create one and names the paths it tried', async () => {
    const run = await runFleet(['silence', '--host', 'ezra', '--for', '2h']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      'fleet: no alert outbox at fleet-alerts.db or .fleet/fleet-alerts.db, so no alerting process would read ' +
        'this silence; start the dashboard with an alerts block in its fleet file first, or name the outbox with --db\n',
    );
    expect(existsSync('fleet-alerts.db')).toBe(false);
    expect(existsSync('.fleet')).toBe(false);

    const alerts = await runFleet(['alerts']);
    expect(alerts.code).toBe(2);
    expect(alerts.stderr).toBe(
      'fleet: no alert outbox at fleet-alerts.db or .fleet/fleet-alerts.db (nothing has sent alerts here yet); ' +
        'name it with --db, or ask the dashboard with --url\n',
    );
  });

  test('FLEET_ALERTS_DB names the outbox like --db, which may be new', async () => {
    process.env.FLEET_ALERTS_DB = join(here, 'named.db');
    expect(await runFleet(['silence', '--group', 'gpu', '--for', '30m'])).toMatchObject({ code: 0, stderr: '' });
    const outbox = new AlertOutbox({ dbPath: join(here, 'named.db'), channels: {} });
    expect(outbox.silences().map((silence) => silence.groups)).toEqual([['gpu']]);
    outbox.close();
  });
});
