import { createServer } from 'node:net';
import { join } from 'node:path';
import { BusClient, DashboardClient, KnowledgeClient } from '@fleet/sdk';
import { describe, expect, test } from 'vitest';
import { startLocalFleet } from '../src/index.ts';
import { tempDir, until, writeDemoFleet } from './_fleet.ts';

/** True when nothing listens on `port` any more (it can be bound again). */
async function isFree(port: number): Promise<boolean> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

describe('startLocalFleet', () => {
  test('runs the bus, the knowledge node, the dashboard and two agents that exchange tasks and facts', async () => {
    const dir = tempDir('fleet-local-');
    const { config, ports } = await writeDemoFleet(dir);
    const progress: string[] = [];
    const fleet = await startLocalFleet({
      dir: join(dir, '.fleet'),
      config,
      agentIntervalMs: 50,
      onProgress: (step) => progress.push(step),
    });
    try {
      expect(fleet).toMatchObject({ config, wroteConfig: false, warnings: [], skipped: [] });
      expect(fleet.urls).toEqual({
        bus: `http://127.0.0.1:${ports.bus}`,
        knowledge: `http://127.0.0.1:${ports.knowledge}`,
        dashboard: `http://127.0.0.1:${ports.dashboard}`,
        agents: { scout: `http://127.0.0.1:${ports.scout}`, scribe: `http://127.0.0.1:${ports.scribe}` },
      });
      expect(progress).toEqual([
        'starting the bus…',
        'starting the knowledge node…',
        'starting the dashboard…',
        'starting the demo agent scout…',
        'starting the demo agent scribe…',
        'probing every target once…',
      ]);
      const bus = new BusClient({ url: fleet.urls.bus });
      await until(async () => (await bus.audit({ agent: 'scribe', event: 'acked' })).count > 0);
      const knowledge = new KnowledgeClient({ url: fleet.urls.knowledge });
      await until(async () => (await knowledge.find('demo/scribe/status')) !== undefined);
      // The dashboard monitors the very services it runs with; they were probed once at the start.
      const dashboard = new DashboardClient({ url: fleet.urls.dashboard });
      const states = async () => {
        const status = await dashboard.status();
        return status.hosts.flatMap((host) => host.targets.map((target) => `${target.id} ${target.state}`)).sort();
      };
      const allUp = ['bus up', 'dashboard up', 'knowledge up', 'scout up', 'scribe up'];
      await until(async () => (await states()).join() === allUp.join());
    } finally {
      await fleet.close();
    }
    for (const port of Object.values(ports)) expect(await isFree(port)).toBe(true);
    await fleet.close(); // idempotent
  });

  test('a port in use stops what already started and names the part and the field', async () => {
    const dir = tempDir('fleet-local-clash-');
    const { config, ports } = await writeDemoFleet(dir);
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(ports.dashboard, '127.0.0.1', resolve));
    try {
      await expect(startLocalFleet({ dir: join(dir, '.fleet'), config })).rejects.toThrow(
        `cannot start the dashboard: Port ${ports.dashboard} on 127.0.0.1 is already in use ` +
          `(services.dashboard.port in ${config})`,
      );
      expect(await isFree(ports.bus)).toBe(true);
      expect(await isFree(ports.knowledge)).toBe(true);
    } finally {
      blocker.close();
    }
  });

  test('refuses a non-loopback address without tokens, before anything listens', async () => {
    const dir = tempDir('fleet-local-open-');
    const { config } = await writeDemoFleet(dir);
    await expect(startLocalFleet({ dir: join(dir, '.fleet'), config, host: '0.0.0.0' })).rejects.toThrow(
      /^cannot start the bus: Refusing to listen on 0\.0\.0\.0 without a bearer token/,
    );
  });
});
