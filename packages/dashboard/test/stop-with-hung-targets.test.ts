import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type HungServer, startHungServer } from '@fleet/test-utils/hung-server';
import { describe, expect, test } from 'vitest';
import { startDashboardServer } from '../src/start-dashboard-server.ts';
import { onCleanup, tempDir } from './_dashboard.ts';

/** Real TCP servers that read requests and never answer, one per target; `requests()` counts them all. */
async function hungServers(count: number): Promise<{ ports: number[]; requests: () => number }> {
  const servers: HungServer[] = [];
  for (let index = 0; index < count; index += 1) {
    const server = await startHungServer();
    onCleanup(() => server.close());
    servers.push(server);
  }
  return {
    ports: servers.map((server) => server.port),
    requests: () => servers.reduce((sum, server) => sum + server.requests, 0),
  };
}

describe('stopping the dashboard while probes hang', () => {
  test('close() drops the queued probes and aborts the running ones instead of waiting out their timeouts', async () => {
    const hung = await hungServers(12);
    const dir = tempDir();
    const config = join(dir, 'fleet.yaml');
    // One host: 4 probes at once, 8 queued; each would wait ten minutes for an answer.
    const services = hung.ports.map(
      (port, index) =>
        `  hung${index}:\n    kind: custom\n    host: local\n    port: ${port}\n` +
        '    health: { path: /health, interval: 20m, timeout: 10m, failureThreshold: 1 }\n',
    );
    writeFileSync(
      config,
      `version: 1\nname: hung\nhosts:\n  local:\n    address: 127.0.0.1\nservices:\n${services.join('')}`,
    );
    const dashboard = await startDashboardServer({ config, port: 0, db: join(dir, 'dashboard.db'), probe: false });
    const probing = dashboard.monitor.probeNow();
    const transitions: string[] = [];
    dashboard.monitor.onTransition((transition) => transitions.push(`${transition.target}: ${transition.to}`));
    await new Promise<void>((resolve) => {
      const poll = () => (hung.requests() === 4 ? resolve() : setTimeout(poll, 20));
      poll();
    });

    await dashboard.close();
    expect(await probing).toHaveLength(4);
    expect(transitions).toEqual([]);
    expect(hung.requests()).toBe(4);
  });
});
