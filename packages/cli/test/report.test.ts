import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type RunningBusServer, startBusServer } from '@fleet/bus-server';
import { type RunningDashboardServer, startDashboardServer } from '@fleet/dashboard';
import { BusClient, DashboardClient } from '@fleet/sdk';
import { FleetReport, parseFleet } from '@fleet/sdk/fleet';
import { closedPort } from '@fleet/test-utils/closed-port';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runFleet, tempDir, until } from './_fleet.ts';

let bus: RunningBusServer;
let dashboard: RunningDashboardServer;
let config: string;
let dir: string;

function fleetText(busPort: number, ghostPort: number, dashboardPort?: number): string {
  return [
    'version: 1',
    'name: reported',
    'hosts:',
    '  local: { address: 127.0.0.1 }',
    'services:',
    `  bus: { kind: bus, host: local, port: ${busPort} }`,
    ...(dashboardPort === undefined ? [] : [`  dashboard: { kind: dashboard, host: local, port: ${dashboardPort} }`]),
    'wizards:',
    `  ghost: { host: local, port: ${ghostPort}, health: { failureThreshold: 1 } }`,
    '',
  ].join('\n');
}

beforeAll(async () => {
  // One delivery each: a nacked message is dead-lettered at once.
  bus = await startBusServer({ port: 0, db: ':memory:', store: { maxAttempts: 1 } });
  const client = new BusClient({ url: bus.url });
  for (const payload of [1, 2, 3]) await client.send({ from: 'scout', to: 'worker', payload });
  const first = await client.receive({ agent: 'worker', limit: 1 });
  await client.ack(first.deliveries.map((delivery) => delivery.receipt));
  const second = await client.receive({ agent: 'worker', limit: 1 });
  expect(await client.nack({ receipt: second.deliveries[0]!.receipt, delaySeconds: 0 })).toMatchObject({
    state: 'dead',
  });

  const ghostPort = await closedPort();
  const { value: fleet, errors } = parseFleet(fleetText(bus.port, ghostPort), { env: {} });
  expect(errors).toEqual([]);
  dashboard = await startDashboardServer({ fleet: fleet!, port: 0, db: ':memory:', probe: false });
  await dashboard.monitor.probeNow();
  const status = new DashboardClient({ url: dashboard.url });
  await until(async () => {
    const { hosts } = await status.status();
    return hosts.every((host) => host.targets.every((target) => target.state !== 'unknown'));
  });
  dir = tempDir('fleet-report-');
  config = join(dir, 'fleet.yaml');
  // The CLI's fleet file also names the dashboard, so a run without --url finds it there.
  writeFileSync(config, fleetText(bus.port, ghostPort, dashboard.port));
});
afterAll(async () => {
  await Promise.all([dashboard?.close(), bus?.close()]);
});

/** `fleet report --format json`, parsed and checked against the schema. */
async function jsonReport(extra: string[] = []): Promise<FleetReport> {
  const run = await runFleet(['report', '--config', config, '--url', dashboard.url, '--format', 'json', ...extra]);
  expect(run).toMatchObject({ code: 0, stderr: '' });
  return FleetReport.parse(JSON.parse(run.stdout));
}

describe('fleet report', () => {
  test('--format json prints the report: per-agent traffic and the down target with its ongoing incident', async () => {
    const report = await jsonReport();
    expect(report.fleet).toBe('reported');
    expect(Date.parse(report.until) - Date.parse(report.since)).toBe(24 * 3_600_000);
    expect(report.targets.map((target) => [target.id, target.state])).toEqual([
      ['bus', 'up'],
      ['ghost', 'down'],
    ]);
    const ghost = report.targets.find((target) => target.id === 'ghost')!;
    expect(ghost.uptime).toBe(0);
    expect(ghost.incidents).toHaveLength(1);
    expect(ghost.incidents[0]).toMatchObject({ end: null });
    expect(ghost.incidents[0]?.reason).toMatch(/refused/i);
    expect(report.bus).toHaveLength(1);
    const [traffic] = report.bus;
    expect(traffic).toMatchObject({ target: 'bus', error: null });
    const agents = Object.fromEntries(traffic!.agents.map((agent) => [agent.agent, agent]));
    expect(agents.scout).toMatchObject({ sent: 3, received: 0, acked: 0, deadLettered: 0 });
    expect(agents.worker).toMatchObject({ sent: 0, received: 3, acked: 1, deadLettered: 1, ready: 1, dead: 1 });
    expect(report.knowledge).toEqual([]);
    expect(report.problems).toEqual([]);
    expect(report.gaps).toEqual([]);
  });

  test('--since sets the period, days included', async () => {
    const report = await jsonReport(['--since', '7d']);
    expect(Date.parse(report.until) - Date.parse(report.since)).toBe(7 * 86_400_000);
  });

  test('--since takes up to a year, what the dashboard keeps', async () => {
    const report = await jsonReport(['--since', '365d']);
    expect(Date.parse(report.until) - Date.parse(report.since)).toBe(365 * 86_400_000);
  });

  test('prints text with the summary, the incident and the traffic table', async () => {
    const run = await runFleet(['report', '--config', config, '--url', dashboard.url]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const lines = run.stdout.split('\n');
    expect(lines[0]).toMatch(/^Fleet report: reported, \S+ \S+ UTC to \S+ \S+ UTC \(24h\)$/);
    expect(lines[1]).toBe('1/2 targets up now; 1 incident; deploys 0 ok, 0 failed; 1 dead letter');
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}ghost\s+local\s+down\s+0\.00%\s+\S+.*\s1$/));
    expect(lines).toContainEqual(expect.stringMatching(/^ {4}down \S+ \S+ UTC, still down \(.+\): .*refused/i));
    expect(lines).toContainEqual(expect.stringMatching(/^ {4}worker\s+0\s+3\s+1\s+1\s+1\s+1\s+\S+/));
    expect(lines).toContain('  No deploys in the period.');
    expect(lines).toContain('  No gaps: every source was read.');
  });

  test('prints markdown with ## sections and tables', async () => {
    const run = await runFleet(['report', '--config', config, '--url', dashboard.url, '--format', 'markdown']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(/^# Fleet report: reported, /);
    expect(run.stdout).toContain('## Bus traffic');
    expect(run.stdout).toMatch(/\n\| worker \| 0 \| 3 \| 1 \| 1 \| 1 \| 1 \| [^|]+ \|\n/);
    expect(run.stdout).toMatch(/\n\| ghost \| local \| down \| 0\.00% \| [^|]+ \| 1 \|\n/);
  });

  test('without --url it reads the dashboard the fleet file names', async () => {
    const run = await runFleet(['report', '--config', config, '--json']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const report = FleetReport.parse(JSON.parse(run.stdout));
    expect(report.targets.map((target) => target.id)).toEqual(['bus', 'ghost']);
  });

  test('an unreachable dashboard is a gap, and the bus is still reported (exit 0)', async () => {
    const down = `http://127.0.0.1:${await closedPort()}`;
    const run = await runFleet(['report', '--config', config, '--url', down, '--format', 'json']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const report = FleetReport.parse(JSON.parse(run.stdout));
    expect(report.targets).toEqual([]);
    expect(report.gaps).toEqual([{ source: 'monitor', error: expect.any(String) }]);
    expect(report.bus[0]?.agents.map((agent) => agent.agent)).toEqual(['scout', 'worker']);
  });

  test('with no fleet file and no dashboard it fails with one line', async () => {
    const down = `http://127.0.0.1:${await closedPort()}`;
    const cwd = process.cwd();
    process.chdir(tempDir('fleet-report-empty-'));
    try {
      const run = await runFleet(['report', '--url', down]);
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr.split('\n').filter(Boolean)).toHaveLength(1);
      expect(run.stderr).toMatch(
        /^fleet: nothing to report: no fleet file here and the dashboard at \S+ could not be read/,
      );
    } finally {
      process.chdir(cwd);
    }
  });

  test('with no fleet file it reports from the dashboard alone', async () => {
    const cwd = process.cwd();
    process.chdir(tempDir('fleet-report-empty-'));
    try {
      const run = await runFleet(['report', '--url', dashboard.url, '--format', 'json']);
      expect(run).toMatchObject({ code: 0, stderr: '' });
      const report = FleetReport.parse(JSON.parse(run.stdout));
      expect(report.fleet).toBeNull();
      expect(report.targets.map((target) => target.id)).toEqual(['bus', 'ghost']);
      expect(report.bus).toEqual([]);
      expect(report.gaps).toEqual([]);
    } finally {
      process.chdir(cwd);
    }
  });

  test("the fleet file's problems come from loading it here, even when it has errors", async () => {
    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, fleetText(bus.port, 9).replace('host: local, port: 9', 'host: nowhere, port: 9'));
    const run = await runFleet(['report', '--config', broken, '--url', dashboard.url, '--format', 'json']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const report = FleetReport.parse(JSON.parse(run.stdout));
    expect(report.problems).toEqual([
      expect.objectContaining({ file: broken, severity: 'error', path: 'wizards.ghost.host' }),
    ]);
    // Without a valid fleet, no bus to read; the dashboard still gives the targets.
    expect(report.bus).toEqual([]);
    expect(report.targets.map((target) => target.id)).toEqual(['bus', 'ghost']);
    const text = await runFleet(['report', '--config', broken, '--url', dashboard.url]);
    const problemLine = text.stdout.split('\n').find((line) => line.startsWith(`  ${broken}:`));
    expect(problemLine).toMatch(/^ {2}\S+:\d+:\d+ error: wizards\.ghost\.host: /);
  });

  test.each([
    [['--json', '--format', 'text'], /^fleet: --json and --format text disagree/],
    [['--since', 'nonsense'], /^fleet: --since must be a duration/],
    [['--since', '0s'], /^fleet: --since must be a duration/],
    [
      ['--since', '366d'],
      /^fleet: --since must be at most 365d \(the dashboard keeps a year of history\), got "366d"$/m,
    ],
    [['--since', '99999999d'], /^fleet: --since must be at most 365d .*, got "99999999d"$/m],
    [['--since', '999999999999d'], /^fleet: --since must be at most 365d .*, got "999999999999d"$/m],
    [['--format', 'html'], /^fleet: --format must be text, markdown or json/],
    [['--config', '/nonexistent/fleet.yaml'], /^fleet: --config: no fleet file at \/nonexistent\/fleet\.yaml/],
  ])('%j is a usage error on one line', async (args, message) => {
    const run = await runFleet(['report', '--url', dashboard.url, ...args]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(run.stderr).toMatch(message);
  });
});
