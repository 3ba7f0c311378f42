import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type RunningDashboardServer, startDashboardServer } from '@fleet/dashboard';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseFleet } from '../../src/fleet/index.ts';
import {
  DashboardClient,
  FleetStatus,
  isFleetHttpError,
  isResponseValidationError,
  ServiceDetail,
  TargetStatus,
} from '../../src/index.ts';
import { yaml } from '../fleet/_fleet.ts';

const TOKEN = 'client-test-token';
let target: ReturnType<typeof createServer>;
let dashboard: RunningDashboardServer;
let client: DashboardClient;

beforeAll(async () => {
  target = createServer((_req, res) =>
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}'),
  );
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
  const port = (target.address() as AddressInfo).port;
  const { value: fleet, errors } = parseFleet(
    yaml(
      'version: 1',
      'name: client-fleet',
      'hosts:',
      '  local: { address: 127.0.0.1 }',
      'services:',
      `  bus: { kind: bus, host: local, port: ${port} }`,
      'wizards:',
      // Never probed in these tests.
      '  merlin: { host: local, port: 9 }',
    ),
    { env: {} },
  );
  if (!fleet) throw new Error(`bad test fleet: ${JSON.stringify(errors)}`);
  dashboard = await startDashboardServer({
    fleet,
    port: 0,
    db: ':memory:',
    probe: false,
    statusRebuildMs: 0,
    tokens: [TOKEN],
  });
  await dashboard.monitor.probeNow(['bus']);
  client = new DashboardClient({ url: dashboard.url, token: TOKEN, retry: 0 });
});
afterAll(async () => {
  await dashboard?.close();
  await new Promise((resolve) => target?.close(resolve));
});

describe('DashboardClient against a real dashboard', () => {
  test('status() is the validated FleetStatus', async () => {
    const status = await client.status();
    expect(FleetStatus.safeParse(status).success).toBe(true);
    expect(status.hosts.map((host) => host.targets.map((t) => [t.id, t.state]))).toEqual([
      [
        ['bus', 'up'],
        ['merlin', 'unknown'],
      ],
    ]);
    expect(status.bus).toMatchObject([{ target: 'bus' }]);
  });

  test('wizard() answers a wizard and throws not_found, naming the id, for anything else', async () => {
    expect(TargetStatus.parse(await client.wizard('merlin'))).toMatchObject({ id: 'merlin', kind: 'wizard' });
    const error = await client.wizard('bus').catch((caught: unknown) => caught);
    expect(isFleetHttpError(error) && error.code).toBe('not_found');
    expect(isFleetHttpError(error) && error.details).toEqual({ field: 'id', id: 'bus' });
  });

  test('service() passes the range as Date, epoch ms or ISO text', async () => {
    const to = Date.now() + 1000;
    for (const from of [new Date(to - 3_600_000), to - 3_600_000, new Date(to - 3_600_000).toISOString()]) {
      const detail = ServiceDetail.parse(await client.service('bus', { from, to, resolution: 'raw' }));
      expect(detail.history).toMatchObject([{ resolution: 'raw', checks: 1, ok: 1 }]);
      expect(detail.transitions).toMatchObject([{ from: 'unknown', to: 'up' }]);
    }
    expect((await client.service('bus')).status.id).toBe('bus');
    const error = await client.service('bus', { from: to, to: to - 1 }).catch((caught: unknown) => caught);
    expect(isFleetHttpError(error) && error.code).toBe('validation_failed');
  });

  test('events() yields the current overview first', async () => {
    const stop = new AbortController();
    for await (const event of client.events({ signal: stop.signal })) {
      expect(event.html).toMatch(/^<main id="overview"[^>]*data-title="client-fleet · 1 of 2 up"/);
      stop.abort();
    }
  });

  test('the common routes work through the same client; no token is unauthorized', async () => {
    expect((await client.health()).service).toBe('fleet-dashboard');
    expect(await client.metrics()).toContain('fleet_dashboard_targets{state="up"} 1');
    expect(Object.keys((await client.openapi()).paths as object)).toContain('/api/status');
    const anonymous = new DashboardClient({ url: dashboard.url, retry: 0 });
    const error = await anonymous.status().catch((caught: unknown) => caught);
    expect(isFleetHttpError(error) && error.code).toBe('unauthorized');
  });

  test('an answer that breaks the contract is a ResponseValidationError', async () => {
    const impostor = createServer((_req, res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"hosts":"none"}'),
    );
    await new Promise<void>((resolve) => impostor.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(impostor.address() as AddressInfo).port}`;
      const error = await new DashboardClient({ url, retry: 0 }).status().catch((caught: unknown) => caught);
      expect(isResponseValidationError(error)).toBe(true);
    } finally {
      await new Promise((resolve) => impostor.close(resolve));
    }
  });
});
