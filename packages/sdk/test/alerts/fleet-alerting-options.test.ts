import { describe, expect, test } from 'vitest';
import { startAlerting } from '../../src/alerts/start-alerting.ts';
import { fleetAlertingOptions } from '../../src/fleet/alerting-options.ts';
import { parseFleet } from '../../src/fleet/parse-fleet.ts';
import type { Fleet } from '../../src/fleet/schema.ts';
import { fleetTargets } from '../../src/fleet/targets.ts';
import { yaml } from '../fleet/_fleet.ts';
import { openMonitor, startTarget } from '../monitor/_monitor.ts';
import { freshDbPath, onCleanup, startAlertReceiver } from './_alerting.ts';

function fleetOf(...lines: string[]): Fleet {
  const { value, errors } = parseFleet(yaml(...lines), { env: {} });
  expect(errors).toEqual([]);
  return value!;
}

const HOSTS = [
  'hosts:',
  '  ezra: { address: 10.0.0.5, groups: [gpu] }',
  '  mira: { address: "fd00::7" }',
  'services:',
  '  bus: { kind: bus, host: ezra, port: 8650 }',
  '  ops-dash: { kind: dashboard, host: mira, port: 8652 }',
  '  spare-dash: { kind: dashboard, host: ezra, port: 8653 }',
];

describe('fleetAlertingOptions', () => {
  test("gives the fleet's name, its first dashboard service as the link, and the host groups", () => {
    const fleet = fleetOf('version: 1', 'name: prod', ...HOSTS);
    expect(fleetAlertingOptions(fleet)).toEqual({
      fleet: 'prod',
      dashboardUrl: 'http://[fd00::7]:8652',
      hostGroups: { ezra: ['gpu'], mira: [] },
    });
  });

  test('alerts.dashboardUrl comes first; without a name or a dashboard those keys are absent', () => {
    const proxied = fleetOf('version: 1', ...HOSTS, 'alerts:', '  dashboardUrl: https://ops.example.org/fleet');
    expect(fleetAlertingOptions(proxied)).toMatchObject({ dashboardUrl: 'https://ops.example.org/fleet' });
    expect(fleetAlertingOptions(proxied)).not.toHaveProperty('fleet');
    const bare = fleetOf(
      'version: 1',
      'hosts: { ezra: { address: 10.0.0.5 } }',
      'services:',
      '  bus: { kind: bus, host: ezra, port: 8650 }',
    );
    expect(fleetAlertingOptions(bare)).toEqual({ hostGroups: { ezra: [] } });
  });

  test("spread into startAlerting, a down alert carries the fleet's name and a link to the target's page", async () => {
    const api = await startTarget();
    api.set('/', { status: 503 });
    const receiver = await startAlertReceiver();
    const apiPort = new URL(api.url()).port;
    const fleet = fleetOf(
      'version: 1',
      'name: prod',
      'hosts: { local: { address: 127.0.0.1 } }',
      'services:',
      `  api: { kind: custom, host: local, port: ${apiPort}, health: { failureThreshold: 1 } }`,
      '  dash: { kind: dashboard, host: local, port: 8652 }',
      'alerts:',
      `  channels: { ops: { type: webhook, url: "${receiver.url}" } }`,
      '  groupWait: 0s',
      '  rules: [{ events: [down], channels: [ops], targets: [api] }]',
    );
    const monitor = openMonitor({ targets: fleetTargets(fleet).filter((target) => target.id === 'api') });
    const alerting = startAlerting({
      monitor,
      spec: fleet.alerts!,
      dbPath: freshDbPath(),
      ...fleetAlertingOptions(fleet),
    });
    onCleanup(() => alerting.close());
    await monitor.probeNow();
    await alerting.outbox.deliverDue();
    expect(receiver.accepted.map(({ kind, title, fleet, url }) => ({ kind, title, fleet, url }))).toEqual([
      {
        kind: 'down',
        title: expect.stringMatching(/^\[prod\] /),
        fleet: 'prod',
        url: 'http://127.0.0.1:8652/services/api',
      },
    ]);
  });
});
