// biome-ignore-all lint/suspicious/noTemplateCurlyInString: fleet files write ${ENV_VAR} references literally
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { parseFleet } from '../../src/fleet/parse-fleet.ts';
import { fleetTargets } from '../../src/fleet/targets.ts';
import { FleetMonitor } from '../../src/monitor/fleet-monitor.ts';
import { buildFleetStatus } from '../../src/monitor/fleet-status.ts';
import { FleetStatus } from '../../src/schemas/fleet-status.ts';
import { yaml } from '../fleet/_fleet.ts';

const cleanups: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A real HTTP server answering every request with `status`. */
async function serve(status: number): Promise<number> {
  const server = createServer((_req, res) => res.writeHead(status).end('{"status":"ok"}'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return (server.address() as AddressInfo).port;
}

function monitorOf(targets: ConstructorParameters<typeof FleetMonitor>[0]['targets']): FleetMonitor {
  const monitor = new FleetMonitor({ targets, dbPath: ':memory:', rollupIntervalMs: 0 });
  cleanups.push(() => monitor.close());
  return monitor;
}

const NOW = Date.parse('2025-06-01T12:00:00.000Z');

describe('buildFleetStatus', () => {
  test('groups the targets by host in file order, with addresses, counts per state and sorted problems', async () => {
    const [good, bad] = await Promise.all([serve(200), serve(500)]);
    const parsed = parseFleet(
      yaml(
        'version: 1',
        'hosts:',
        '  zeta: { address: 10.0.0.9 }',
        '  alpha: { address: 127.0.0.1 }',
        'services:',
        `  web: { kind: custom, host: alpha, port: ${good}, health: { failureThreshold: 1 } }`,
        `  api: { kind: custom, host: alpha, port: ${bad}, health: { failureThreshold: 1 } }`,
        'wizards:',
        '  merlin: { host: alpha, port: 9 }',
      ),
      { file: 'fleet.yaml', env: {} },
    );
    expect(parsed.errors).toEqual([]);
    const fleet = parsed.value!;
    const monitor = monitorOf(fleetTargets(fleet));
    await monitor.probeNow(['web', 'api']);
    const problems = [
      { file: 'fleet.yaml', line: 9, column: 3, path: 'b', message: 'later', severity: 'warning' as const },
      { file: 'fleet.yaml', line: 2, column: 7, path: 'a', message: 'earlier', severity: 'error' as const },
    ];

    const status = FleetStatus.parse(buildFleetStatus({ fleet, file: 'fleet.yaml', problems, monitor, now: NOW }));
    expect(status.generatedAt).toBe('2025-06-01T12:00:00.000Z');
    expect(status.file).toBe('fleet.yaml');
    expect(status.problems.map((problem) => problem.message)).toEqual(['earlier', 'later']);
    expect(
      status.hosts.map((host) => [host.name, host.address, host.targets.map((t) => `${t.id}:${t.state}`)]),
    ).toEqual([
      ['zeta', '10.0.0.9', []],
      ['alpha', '127.0.0.1', ['web:up', 'api:down', 'merlin:unknown']],
    ]);
    expect(status.counts).toEqual({ up: 1, degraded: 0, down: 1, unknown: 1, deploying: 0 });
    expect(status.bus).toEqual([]);
    expect(status.knowledge).toEqual([]);
  });

  test('a target on a host the fleet does not list gets a host of its own; no fleet means no listed hosts', () => {
    const monitor = monitorOf([
      {
        id: 'stray',
        kind: 'bus',
        host: 'elsewhere',
        url: 'http://127.0.0.1:9/health',
        intervalMs: 1000,
        timeoutMs: 500,
        conditions: ['[STATUS] == 200'],
      },
    ]);
    const status = FleetStatus.parse(buildFleetStatus({ fleet: undefined, monitor, now: NOW }));
    expect(status).toMatchObject({ file: null, problems: [] });
    expect(status.hosts).toMatchObject([
      { name: 'elsewhere', address: '', targets: [{ id: 'stray', state: 'unknown' }] },
    ]);
    expect(status.counts.unknown).toBe(1);
    // A bus target brings its backlog entry, not read yet.
    expect(status.bus).toMatchObject([{ target: 'stray', at: null }]);
  });
});

describe('buildFleetStatus and secrets', () => {
  test('values from ${ENV} references show as the reference in addresses and URLs, never resolved', () => {
    const parsed = parseFleet(
      yaml(
        'version: 1',
        'hosts: { ezra: { address: "${EZRA_ADDRESS}" } }',
        'services:',
        '  api: { kind: custom, host: ezra, port: 9000, health: { path: "/health?key=${API_KEY}" } }',
      ),
      { env: { EZRA_ADDRESS: '10.0.0.5', API_KEY: 'key-5ecret' } },
    );
    const fleet = parsed.value!;
    expect(fleetTargets(fleet)[0]?.url).toBe('http://10.0.0.5:9000/health?key=key-5ecret');
    const status = buildFleetStatus({ fleet, monitor: monitorOf(fleetTargets(fleet)), now: NOW });
    const text = JSON.stringify(status);
    expect(text).not.toContain('key-5ecret');
    expect(text).not.toContain('10.0.0.5');
    expect(status.hosts[0]).toMatchObject({ address: '${EZRA_ADDRESS}' });
    expect(status.hosts[0]?.targets[0]?.url).toBe('http://${EZRA_ADDRESS}:9000/health?key=${API_KEY}');
  });

  test('a bus backlog read that failed names its URL with the references, never the resolved values', async () => {
    // A bus whose health answers and whose /queue fails: the reader's error names the URL it read.
    const server = createServer((req, res) => {
      if (req.url?.endsWith('/health'))
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      else res.writeHead(502).end('bad gateway');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const port = (server.address() as AddressInfo).port;
    const parsed = parseFleet(
      yaml(
        'version: 1',
        'hosts: { ezra: { address: "${BUS_ADDRESS}" } }',
        'services:',
        `  bus: { kind: bus, host: ezra, port: ${port}, health: { path: "/\${BUS_PATH_KEY}/health" } }`,
      ),
      { env: { BUS_ADDRESS: '127.0.0.1', BUS_PATH_KEY: 'path-5ecret' } },
    );
    expect(parsed.errors).toEqual([]);
    const fleet = parsed.value!;
    const monitor = monitorOf(fleetTargets(fleet));
    await monitor.probeNow();
    expect(monitor.busBacklogs()[0]?.error).toContain('path-5ecret');

    const status = buildFleetStatus({ fleet, monitor, now: NOW });
    expect(JSON.stringify(status)).not.toContain('path-5ecret');
    expect(status.bus[0]?.error).toContain(`http://\${BUS_ADDRESS}:${port}/\${BUS_PATH_KEY}/queue`);
  });
});
