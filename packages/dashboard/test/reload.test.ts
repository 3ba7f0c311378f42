import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FleetStatus } from '@fleet/sdk';
import { describe, expect, test } from 'vitest';
import { startDashboardServer } from '../src/start-dashboard-server.ts';
import { fleetYaml, get, onCleanup, startTarget, startTestFleet, tempDir } from './_dashboard.ts';

async function statusOf(dashboard: { url: string }): Promise<FleetStatus> {
  return FleetStatus.parse(await (await get(dashboard, '/api/status')).json());
}

const targetIds = (status: FleetStatus) => status.hosts.flatMap((host) => host.targets.map((target) => target.id));

describe('fleet file reloads', () => {
  test('an invalid version keeps the last valid fleet in use and shows its problems on the page', async () => {
    const { dashboard, api, wizard, config } = await startTestFleet();
    // The wizard now points at a host that does not exist.
    const yaml = fleetYaml(api.port, wizard.port);
    writeFileSync(
      config,
      yaml.replace(`host: local\n    port: ${wizard.port}`, `host: nowhere\n    port: ${wizard.port}`),
    );
    await dashboard.reload();

    const status = await statusOf(dashboard);
    expect(targetIds(status)).toEqual(['api', 'merlin']);
    expect(status.problems).toHaveLength(1);
    expect(status.problems[0]).toMatchObject({
      file: config,
      line: 14,
      path: 'wizards.merlin.host',
      severity: 'error',
    });
    expect(status.problems[0]?.message).toContain('nowhere');
    expect((await dashboard.monitor.probeNow()).map((result) => result.target)).toEqual(['api', 'merlin']);

    const page = await (await get(dashboard, '/')).text();
    expect(page).toMatch(/<section id="problems" class="problems has-errors" data-count="1"/);
    expect(page).toContain(`${config}:14:`);
    expect(page).toMatch(/<tr id="target-merlin"/);
  });

  test('a valid new version replaces the fleet: new targets are probed, the problems are gone', async () => {
    const { dashboard, api, wizard, config } = await startTestFleet();
    writeFileSync(config, 'version: 1\nhosts: [oops');
    await dashboard.reload();
    expect((await statusOf(dashboard)).problems).not.toEqual([]);

    const extra = await startTarget();
    const service = `  extra:\n    kind: custom\n    host: local\n    port: ${extra.port}\n    health: { path: /health }\n`;
    writeFileSync(config, fleetYaml(api.port, wizard.port, service));
    await dashboard.reload();
    await dashboard.monitor.probeNow();
    const status = await statusOf(dashboard);
    expect(status.problems).toEqual([]);
    expect(targetIds(status)).toEqual(['api', 'extra', 'merlin']);
    expect(status.counts.up).toBe(3);
  });

  test('the watcher picks up a change of the file without being asked', async () => {
    const { dashboard, api, wizard, config } = await startTestFleet({ watch: { debounceMs: 20, pollIntervalMs: 200 } });
    writeFileSync(config, fleetYaml(api.port, wizard.port).replace('name: test-fleet', 'name: renamed-fleet'));
    // No deadline of its own: the test's timeout bounds the wait.
    while (!(await (await get(dashboard, '/')).text()).includes('<title>renamed-fleet')) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  });

  test('a dashboard started on a missing file shows the problem, then the fleet once the file exists', async () => {
    const dir = tempDir();
    const config = join(dir, 'fleet.yaml');
    const dashboard = await startDashboardServer({ config, port: 0, db: ':memory:', probe: false, statusRebuildMs: 0 });
    onCleanup(() => dashboard.close());
    const before = await statusOf(dashboard);
    expect(before.hosts).toEqual([]);
    expect(before.problems[0]?.message).toMatch(/^cannot read the fleet file: ENOENT/);

    const [api, wizard] = await Promise.all([startTarget(), startTarget()]);
    writeFileSync(config, fleetYaml(api.port, wizard.port));
    await dashboard.reload();
    const after = await statusOf(dashboard);
    expect(after.problems).toEqual([]);
    expect(targetIds(after)).toEqual(['api', 'merlin']);
  });

  test('a condition the monitor cannot parse is a problem of the file: the previous targets stay', async () => {
    const { dashboard, api, wizard, config } = await startTestFleet();
    writeFileSync(
      config,
      fleetYaml(api.port, wizard.port).replace('{ path: /health,', '{ path: /health, conditions: ["[STATUS] ~~ 200"],'),
    );
    await dashboard.reload();
    const status = await statusOf(dashboard);
    expect(targetIds(status)).toEqual(['api', 'merlin']);
    expect(status.problems[0]?.message).toMatch(/invalid condition "\[STATUS\] ~~ 200"/);
    expect(status.problems[0]?.path).toBe('services.api.health.conditions.0');
  });
});
