import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningDashboardServer, startDashboardServer } from '@fleet/dashboard';
import { afterEach, describe, expect, test } from 'vitest';
import type { DeployRunEvent } from '../../src/deploy/index.ts';
import { parseFleet } from '../../src/fleet/index.ts';
import { DashboardClient, DashboardDeploys, dashboardDeployReporter, isFleetHttpError } from '../../src/index.ts';
import { yaml } from '../fleet/_fleet.ts';
import { at, batch, hostEvents, runEvents } from '../monitor/_deploy-events.ts';

const TOKEN = 'deploy-events-token';
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A real HTTP target whose /health answers 200 or 503 (with Fleet's `{"status":"ok"}`) as the test says. */
async function target(): Promise<{ port: number; setHealthy(healthy: boolean): void }> {
  let healthy = true;
  const server = createServer((_req, res) => res.writeHead(healthy ? 200 : 503).end('{"status":"ok"}'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  return {
    port: (server.address() as AddressInfo).port,
    setHealthy: (value) => {
      healthy = value;
    },
  };
}

/** A dashboard over two hosts: `api` on web1, `merlin` on web2, both down after one failed probe. */
async function dashboardOf(ports: [number, number], db = ':memory:'): Promise<RunningDashboardServer> {
  const { value: fleet } = parseFleet(
    yaml(
      'version: 1',
      'hosts:',
      '  web1: { address: 127.0.0.1 }',
      '  web2: { address: 127.0.0.1 }',
      'services:',
      `  api: { kind: custom, host: web1, port: ${ports[0]}, health: { path: /health, failureThreshold: 1, successThreshold: 1 } }`,
      'wizards:',
      `  merlin: { host: web2, port: ${ports[1]}, health: { failureThreshold: 1, successThreshold: 1 } }`,
    ),
    { env: {} },
  );
  const dashboard = await startDashboardServer({
    fleet: fleet!,
    port: 0,
    db,
    probe: false,
    statusRebuildMs: 0,
    tokens: [TOKEN],
  });
  cleanups.push(() => dashboard.close());
  return dashboard;
}

const states = (dashboard: RunningDashboardServer) =>
  Object.fromEntries(dashboard.monitor.statuses().map((status) => [status.id, status.state]));

describe('deploy events on a real dashboard', () => {
  test("a host's targets show deploying between its host_started and host_finished, and failures there do not count", async () => {
    const [api, wizard] = await Promise.all([target(), target()]);
    const dashboard = await dashboardOf([api.port, wizard.port]);
    const client = new DashboardClient({ url: dashboard.url, token: TOKEN, retry: 0 });
    await dashboard.monitor.probeNow();
    expect(states(dashboard)).toEqual({ api: 'up', merlin: 'up' });

    const [batchStarted, hostStarted, ...rest] = hostEvents('web1', 'changed', 1);
    const accepted = await client.postDeployEvents(batch('r1', [batchStarted!, hostStarted!]));
    expect(accepted).toEqual({ accepted: 2, deploying: ['web1'] });
    expect(states(dashboard)).toEqual({ api: 'deploying', merlin: 'up' });
    api.setHealthy(false);
    await dashboard.monitor.probeNow();
    expect(states(dashboard)).toEqual({ api: 'deploying', merlin: 'up' });

    expect(await client.postDeployEvents(batch('r1', rest))).toEqual({ accepted: 3, deploying: [] });
    await dashboard.monitor.probeNow();
    expect(states(dashboard)).toEqual({ api: 'down', merlin: 'up' });
  });

  test('posting events and reading deploys need the bearer token', async () => {
    const dashboard = await dashboardOf([9, 9]);
    const anonymous = new DashboardClient({ url: dashboard.url, retry: 0 });
    for (const call of [() => anonymous.postDeployEvents(batch('r1', [])), () => anonymous.deploys()]) {
      const error = await call().catch((caught: unknown) => caught);
      expect(isFleetHttpError(error) && error.code).toBe('unauthorized');
    }
    // Events are checked twice: their shape by the contract, each one in full by the dashboard.
    for (const event of [{ type: 'host_started' }, { type: 'host_exploded', at: at(0) }]) {
      const response = await fetch(`${dashboard.url}/api/deploys/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ run: { id: 'r1', trigger: 'cli', mode: 'apply' }, events: [event] }),
      });
      expect(response.status).toBe(400);
      const { error } = (await response.json()) as { error: { code: string; message: string } };
      expect(error.code).toBe('validation_failed');
      expect(error.message).toMatch(/^events\.0\b/);
    }
    const client = new DashboardClient({ url: dashboard.url, token: TOKEN, retry: 0 });
    expect((await client.deploys()).runs).toEqual([]);
  });

  test('the reporter forwards a whole run; deploys() shows it with trigger, commit and per-host results, and keeps a failure on top until a good run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleet-deploys-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const db = join(dir, 'dashboard.db');
    let dashboard = await dashboardOf([9, 9], db);
    let client = new DashboardClient({ url: dashboard.url, token: TOKEN, retry: 0 });

    const failing = dashboardDeployReporter(client, { run: { trigger: 'webhook', commit: 'bad1' } });
    for (const event of runEvents('r1', ['web1', 'web2'], { web2: 'failed' })) failing.onEvent(event);
    await failing.flush();
    const afterFailure = DashboardDeploys.parse(await client.deploys());
    expect(afterFailure.runs).toMatchObject([
      {
        id: 'r1',
        trigger: 'webhook',
        commit: 'bad1',
        mode: 'apply',
        status: 'failed',
        durationMs: 3000,
        hosts: [
          { host: 'web1', status: 'changed', durationMs: 1500 },
          { host: 'web2', status: 'failed', durationMs: 1500 },
        ],
      },
    ]);
    expect(afterFailure.failed?.id).toBe('r1');

    // A restarted dashboard still knows the run.
    await dashboard.close();
    dashboard = await dashboardOf([9, 9], db);
    client = new DashboardClient({ url: dashboard.url, token: TOKEN, retry: 0 });
    expect((await client.deploys()).failed?.id).toBe('r1');

    const good = dashboardDeployReporter(client, { run: { trigger: 'cli', commit: 'good2' } });
    for (const event of runEvents('r2', ['web1', 'web2'], {}, 10)) good.onEvent(event);
    await good.flush();
    const afterGood = await client.deploys(1);
    expect(afterGood.runs.map((run) => [run.id, run.status, run.commit])).toEqual([['r2', 'changed', 'good2']]);
    expect(afterGood.failed).toBeNull();
  });

  test('the reporter never fails the deploy: an unreachable dashboard is reported to onError, and its events are sent once it answers', async () => {
    const [api, wizard] = await Promise.all([target(), target()]);
    const dashboard = await dashboardOf([api.port, wizard.port]);
    const errors: unknown[] = [];
    let url = 'http://127.0.0.1:9';
    const client = {
      postDeployEvents: (...args: Parameters<DashboardClient['postDeployEvents']>) =>
        new DashboardClient({ url, token: TOKEN, retry: 0 }).postDeployEvents(...args),
    };
    const reporter = dashboardDeployReporter(client, {
      run: { trigger: 'cli' },
      onError: (error) => errors.push(error),
    });
    const events: DeployRunEvent[] = runEvents('r1', ['web1']);
    reporter.onEvent(events[0]!);
    await reporter.flush();
    expect(errors.length).toBeGreaterThan(0);
    expect((errors[0] as Error).name).toBe('FleetConnectionError');

    url = dashboard.url;
    for (const event of events.slice(1)) reporter.onEvent(event);
    await reporter.flush();
    expect((await new DashboardClient({ url, token: TOKEN }).deploys()).runs).toMatchObject([
      // run_started, queued while the dashboard was unreachable, arrived too.
      { id: 'r1', status: 'changed', startedAt: at(0), hosts: [{ host: 'web1', status: 'changed' }] },
    ]);
  });

  test('the reporter drops what the dashboard refuses instead of sending it again', async () => {
    const dashboard = await dashboardOf([9, 9]);
    const errors: unknown[] = [];
    const posted: unknown[] = [];
    const wrongToken = new DashboardClient({ url: dashboard.url, token: 'wrong', retry: 0 });
    const client = {
      postDeployEvents: (...args: Parameters<DashboardClient['postDeployEvents']>) => {
        posted.push(...args[0].events);
        return wrongToken.postDeployEvents(...args);
      },
    };
    const reporter = dashboardDeployReporter(client, {
      run: { trigger: 'cli' },
      onError: (error) => errors.push(error),
    });
    const events = runEvents('r1', ['web1']);
    for (const event of events) reporter.onEvent(event);
    await reporter.flush();
    await reporter.flush();
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((error) => isFleetHttpError(error) && error.code === 'unauthorized')).toBe(true);
    expect(posted).toEqual(events);
    expect((await new DashboardClient({ url: dashboard.url, token: TOKEN }).deploys()).runs).toEqual([]);
  });
});
