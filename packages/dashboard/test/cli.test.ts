import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FleetStatus } from '@fleet/sdk';
import { spawnServerWithoutReader } from '@fleet/test-utils/closed-stdout';
import { runCli } from '@fleet/test-utils/run-cli';
import { type SpawnedServer, spawnServer } from '@fleet/test-utils/spawn-server';
import { describe, expect, test } from 'vitest';
import { fleetYaml, onCleanup, startTarget, tempDir } from './_dashboard.ts';

// These run the BUILT bin (`npm test` builds first), as a user would.
const BIN = fileURLToPath(new URL('../bin/fleet-dashboard.js', import.meta.url));
const cleanEnv = { FLEET_DASHBOARD_TOKENS: '' };

/** A fleet file of two real targets in a temp directory. */
async function fleetFile(text?: string): Promise<string> {
  const [api, wizard] = await Promise.all([startTarget(), startTarget()]);
  const config = join(tempDir(), 'fleet.yaml');
  writeFileSync(config, text ?? fleetYaml(api.port, wizard.port));
  return config;
}

/** Starts `fleet-dashboard <args> --port 0 --db :memory:`; SIGTERMed after the test unless already gone. */
async function spawnDashboard(args: string[], env: NodeJS.ProcessEnv = {}): Promise<SpawnedServer> {
  const server = await spawnServer(BIN, [...args, '--port', '0', '--db', ':memory:'], { ...cleanEnv, ...env });
  onCleanup(async () => {
    if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGTERM');
    await server.exited;
  });
  return server;
}

describe('fleet-dashboard', () => {
  test('`server` prints the URL it listens on, on one line, and serves the fleet of --config', async () => {
    const config = await fleetFile();
    const dashboard = await spawnDashboard(['server', '--config', config]);
    expect(dashboard.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(dashboard.stdout()).toBe(`fleet-dashboard listening on ${dashboard.url}\n`);
    const status = FleetStatus.parse(await (await fetch(`${dashboard.url}/api/status`)).json());
    expect(status.file).toBe(config);
    expect(status.hosts[0]?.targets.map((target) => target.id)).toEqual(['api', 'merlin']);
  });

  test('runs the server without the `server` subcommand too', async () => {
    const config = await fleetFile();
    const dashboard = await spawnDashboard(['--config', config]);
    expect(dashboard.stdout()).toBe(`fleet-dashboard listening on ${dashboard.url}\n`);
  });

  test.each(['SIGTERM', 'SIGINT'] as const)('%s makes it close cleanly and exit 0', async (signal) => {
    const dashboard = await spawnDashboard(['--config', await fleetFile()]);
    dashboard.child.kill(signal);
    expect(await dashboard.exited).toBe(0);
    expect(dashboard.stderr()).toBe('');
  });

  test('with its stdout closed (| true) it keeps serving, its startup line lost, and stops cleanly', async () => {
    const config = await fleetFile();
    const dashboard = await spawnServerWithoutReader(BIN, ['--config', config, '--db', ':memory:'], cleanEnv);
    expect(dashboard).toHaveProperty('url');
    if (!('url' in dashboard)) return;
    await new Promise((resolve) => setTimeout(resolve, 200)); // the failed write's error has come by now
    expect((await fetch(`${dashboard.url}/api/status`)).status).toBe(200);
    dashboard.child.kill('SIGTERM');
    expect(await dashboard.exited).toBe(0);
    expect(dashboard.stderr()).toBe('');
  });

  test('an invalid fleet file does not stop it: each problem is one line on stderr, and the page shows them', async () => {
    const config = await fleetFile(
      'version: 1\nhosts:\n  local: { address: 127.0.0.1 }\nservices:\n  bus: { kind: bus, host: nowhere, port: 8650 }\n',
    );
    const dashboard = await spawnDashboard(['--config', config]);
    // stderr and stdout are separate pipes: the warnings may arrive after the URL line.
    while (!dashboard.stderr().includes('has errors')) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(dashboard.stderr()).toBe(
      `fleet-dashboard: ${config}:3:3 warning: hosts.local: host "local" runs no service or wizard\n` +
        `fleet-dashboard: ${config}:5:27 error: services.bus.host: unknown host "nowhere" (hosts: local)\n` +
        `fleet-dashboard: ${config} has errors; no fleet to show until they are fixed\n`,
    );
    const page = await (await fetch(`${dashboard.url}/`)).text();
    expect(page).toContain('<section id="problems"');
  });

  test('accepts every --token and those of FLEET_DASHBOARD_TOKENS', async () => {
    const dashboard = await spawnDashboard(['--config', await fleetFile(), '--token', 'one'], {
      FLEET_DASHBOARD_TOKENS: 'two, three',
    });
    expect((await fetch(`${dashboard.url}/api/status`)).status).toBe(401);
    for (const token of ['one', 'two', 'three']) {
      const response = await fetch(`${dashboard.url}/api/status`, { headers: { authorization: `Bearer ${token}` } });
      expect(response.status).toBe(200);
    }
  });

  test('--trust-proxy makes X-Forwarded-Proto: https from that peer give a Secure session cookie', async () => {
    const config = await fleetFile();
    for (const [args, secure] of [
      [['--trust-proxy', '10.0.0.0/8', '--trust-proxy', '127.0.0.1'], true],
      [['--trust-proxy', '10.0.0.0/8'], false],
    ] as const) {
      const dashboard = await spawnDashboard(['--config', config, '--token', 'tok', ...args]);
      const response = await fetch(`${dashboard.url}/?token=tok`, {
        headers: { 'x-forwarded-proto': 'https' },
        redirect: 'manual',
      });
      expect(response.headers.get('set-cookie')?.endsWith('; Secure'), args.join(' ')).toBe(secure);
    }
  });

  test('refuses a non-loopback address without a token', async () => {
    const result = await runCli(
      BIN,
      ['--config', await fleetFile(), '--host', '0.0.0.0', '--port', '0', '--db', ':memory:'],
      cleanEnv,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^fleet-dashboard: Refusing to listen on 0\.0\.0\.0 without a bearer token/);
  });

  test.each([
    [['--port', '99999'], 'fleet-dashboard: --port must be at most 65535, got 99999'],
    [['server', '--colour', 'red'], 'fleet-dashboard: unknown option: --colour'],
    [['server', 'extra'], 'fleet-dashboard: unexpected argument: extra'],
    [['launch'], 'fleet-dashboard: unknown command "launch"; commands: server'],
    [['launch', '--help'], 'fleet-dashboard: unknown command "launch"; commands: server'],
    [
      ['--trust-proxy', 'proxy.local'],
      'fleet-dashboard: --trust-proxy: trusted proxy "proxy.local" is not an IP address or a CIDR range (10.0.0.0/8)',
    ],
  ])('bad arguments %j exit 2', async (args, line) => {
    expect(await runCli(BIN, args, cleanEnv)).toEqual({ code: 2, stdout: '', stderr: `${line}\n` });
  });

  test('--help shows the options and exits 0', async () => {
    const result = await runCli(BIN, ['server', '--help'], cleanEnv);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/--config/);
  });
});
