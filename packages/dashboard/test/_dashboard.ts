import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import {
  type DashboardServerOptions,
  type RunningDashboardServer,
  startDashboardServer,
} from '../src/start-dashboard-server.ts';

/** A real HTTP service on port 0 whose `/health` the test makes pass or fail. */
export interface Target {
  port: number;
  /** From now on `/health` answers 200 `{"status":"ok"}` (true) or 503 (false). */
  setHealthy(healthy: boolean): void;
  close(): Promise<void>;
}

const closers: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** Registers a cleanup to run after the current test. */
export function onCleanup(close: () => Promise<void> | void): void {
  closers.push(close);
}

/** Starts a {@link Target}, healthy; closed after the test. */
export async function startTarget(): Promise<Target> {
  let healthy = true;
  const server = createServer((_req, res) => {
    res.writeHead(healthy ? 200 : 503, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: healthy ? 'ok' : 'down' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  let closed: Promise<void> | undefined;
  const target: Target = {
    port: (server.address() as AddressInfo).port,
    setHealthy: (value) => {
      healthy = value;
    },
    close: () => {
      closed ??= new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      return closed;
    },
  };
  onCleanup(() => target.close());
  return target;
}

/** A fresh temp directory, removed after the test. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-dashboard-'));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * The text of a fleet file: one host `local` (127.0.0.1), a service `api` on `apiPort` and a
 * wizard `merlin` on `wizardPort`, both probed at `/health`, down after one failure and up after one
 * success (the tests drive probes with `monitor.probeNow()`).
 */
export function fleetYaml(apiPort: number, wizardPort: number, extra = ''): string {
  return `version: 1
name: test-fleet
hosts:
  local:
    address: 127.0.0.1
services:
  api:
    kind: custom
    host: local
    port: ${apiPort}
    health: { path: /health, failureThreshold: 1, successThreshold: 1 }
${extra}wizards:
  merlin:
    host: local
    port: ${wizardPort}
    health: { failureThreshold: 1, successThreshold: 1 }
`;
}

/** A fleet: two targets, its fleet file and a dashboard over it. */
export interface TestFleet {
  api: Target;
  wizard: Target;
  dir: string;
  config: string;
  dashboard: RunningDashboardServer;
}

/**
 * Starts two targets, writes their fleet file and starts a dashboard on port 0 over it: history in
 * the temp directory, probes only through `dashboard.monitor.probeNow()`, and `/api/status`
 * rebuilt on every read after a change. Everything is closed after the test.
 */
export async function startTestFleet(options: DashboardServerOptions = {}): Promise<TestFleet> {
  const [api, wizard] = await Promise.all([startTarget(), startTarget()]);
  const dir = tempDir();
  const config = join(dir, 'fleet.yaml');
  writeFileSync(config, fleetYaml(api.port, wizard.port));
  const dashboard = await startDashboardServer({
    config,
    port: 0,
    db: join(dir, 'dashboard.db'),
    probe: false,
    statusRebuildMs: 0,
    ...options,
  });
  // Registered last, so it runs first: the dashboard closes before the directory goes.
  onCleanup(() => dashboard.close());
  return { api, wizard, dir, config, dashboard };
}

/** `fetch` of a path of the dashboard. */
export function get(dashboard: { url: string }, path: string, headers: Record<string, string> = {}) {
  return fetch(`${dashboard.url}${path}`, { headers, redirect: 'manual' });
}
