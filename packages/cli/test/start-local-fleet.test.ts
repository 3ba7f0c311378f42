import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { BusClient, DashboardClient, KnowledgeClient } from '@fleet/sdk';
import { startSilentHost } from '@fleet/test-utils/silent-host';
import { describe, expect, test } from 'vitest';
import { startLocalFleet } from '../src/index.ts';
import { hangBusProbe, OTHER_LOOPBACK, tempDir, until, writeDemoFleet } from './_fleet.ts';

/** True when nothing listens on `port` of `host` any more (it can be bound again). */
async function isFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
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

  test('a signal that aborts during the start stops what started and rejects with its reason', async () => {
    const dir = tempDir('fleet-local-abort-');
    const { config, ports } = await writeDemoFleet(dir);
    // Its probe of the bus at the end of the start is never answered (see hangBusProbe): the start waits.
    const silent = await startSilentHost();
    hangBusProbe(config, ports.bus, silent.port);
    const stop = new AbortController();
    try {
      const starting = startLocalFleet({ dir: join(dir, '.fleet'), config, host: OTHER_LOOPBACK, signal: stop.signal });
      await silent.connected;
      const reason = new Error('stopped by the test');
      stop.abort(reason);
      await expect(starting).rejects.toBe(reason);
      // The bus ran on the silent host's port, the others on theirs: all on OTHER_LOOPBACK.
      for (const port of [silent.port, ports.knowledge, ports.dashboard, ports.scout, ports.scribe]) {
        expect(await isFree(port, OTHER_LOOPBACK)).toBe(true);
      }
    } finally {
      await silent.close();
    }
  });

  test('refuses a non-loopback address when a service has no token, names them and what works, before anything listens', async () => {
    const dir = tempDir('fleet-local-open-');
    const { config, ports } = await writeDemoFleet(dir);
    // Only the bus has a token: the knowledge node and the dashboard would be open to anyone.
    const text = readFileSync(config, 'utf8').replace(
      `    port: ${ports.bus}\n`,
      `    port: ${ports.bus}\n    token: \${FLEET_TEST_BUS_TOKEN}\n`,
    );
    writeFileSync(config, text);
    process.env.FLEET_TEST_BUS_TOKEN = 'bus-token-for-open-bind';
    try {
      await expect(startLocalFleet({ dir: join(dir, '.fleet'), config, host: '0.0.0.0' })).rejects.toThrow(
        `cannot bind 0.0.0.0: knowledge and dashboard have no token in ${config}, so anyone who can reach ` +
          '0.0.0.0 could use them; set services.knowledge.token and services.dashboard.token there ' +
          `(e.g. token: \${FLEET_KNOWLEDGE_TOKEN}, with that variable set), or bind 127.0.0.1`,
      );
    } finally {
      delete process.env.FLEET_TEST_BUS_TOKEN;
    }
    for (const port of Object.values(ports)) expect(await isFree(port)).toBe(true);
    expect(existsSync(join(dir, '.fleet'))).toBe(false);
  });

  test('refuses a non-loopback address without a fleet file, and writes no demo fleet file', async () => {
    const dir = tempDir('fleet-local-open-demo-');
    const config = join(dir, '.fleet', 'fleet.yaml');
    await expect(startLocalFleet({ dir: join(dir, '.fleet'), config, host: '0.0.0.0' })).rejects.toThrow(
      'cannot bind 0.0.0.0: the demo fleet file gives bus, knowledge and dashboard no token, so anyone who ' +
        `can reach 0.0.0.0 could use them (nothing written); run fleet up once on 127.0.0.1 to write ${config}, ` +
        'set services.bus.token, services.knowledge.token and services.dashboard.token there ' +
        `(e.g. token: \${FLEET_BUS_TOKEN}, with that variable set), or bind 127.0.0.1`,
    );
    expect(existsSync(join(dir, '.fleet'))).toBe(false);
  });

  test('binds a non-loopback address when every service it runs has a token', async () => {
    const dir = tempDir('fleet-local-open-tokens-');
    const { config, ports } = await writeDemoFleet(dir);
    let text = readFileSync(config, 'utf8');
    for (const service of ['bus', 'knowledge', 'dashboard'] as const) {
      const port = `    port: ${ports[service]}\n`;
      text = text.replace(port, `${port}    token: ${service}-token-for-open-bind\n`);
    }
    writeFileSync(config, text);
    const fleet = await startLocalFleet({ dir: join(dir, '.fleet'), config, host: '0.0.0.0' });
    try {
      const bus = new BusClient({ url: `http://127.0.0.1:${ports.bus}`, token: 'bus-token-for-open-bind' });
      await expect(bus.stats()).resolves.toBeTypeOf('object');
    } finally {
      await fleet.close();
    }
  });
});
