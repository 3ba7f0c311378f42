import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type RunningBusServer, startBusServer } from '@fleet/bus-server';
import { formatProblem, loadFleetFile } from '@fleet/sdk/fleet';
import { closedPort } from '@fleet/test-utils/closed-port';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type DoctorReport, diagnoseFleet } from '../src/index.ts';
import { runFleet, tempDir, writeDemoFleet } from './_fleet.ts';
import { spawnFleet } from './_spawn-fleet.ts';

const dir = tempDir('fleet-doctor-');
let bus: RunningBusServer;
let config: string;
let refusingPort: number;

beforeAll(async () => {
  bus = await startBusServer({ port: 0, db: ':memory:' });
  refusingPort = await closedPort();
  config = join(dir, 'fleet.yaml');
  writeFileSync(
    config,
    [
      'version: 1',
      'hosts:',
      '  local:',
      '    address: 127.0.0.1',
      'services:',
      '  bus:',
      '    kind: bus',
      '    host: local',
      `    port: ${bus.port}`,
      'wizards:',
      '  ghost:',
      '    host: local',
      `    port: ${refusingPort}`,
      '',
    ].join('\n'),
  );
});
afterAll(() => bus.close());

describe('diagnoseFleet', () => {
  test('probes every target once: a serving one is up, a refusing one down with the reason', async () => {
    const report = await diagnoseFleet(config);
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(false);
    const [busTarget, ghost] = report.targets;
    expect(busTarget).toMatchObject({ id: 'bus', kind: 'bus', state: 'up', ok: true, status: 200, error: null });
    expect(busTarget?.url).toBe(`${bus.url}/health`);
    expect(ghost).toMatchObject({ id: 'ghost', kind: 'wizard', state: 'down', ok: false, status: null });
    expect(ghost?.error).toMatch(/refused/i);
  });

  test('is ok when every target is up', async () => {
    const onlyBus = join(dir, 'only-bus.yaml');
    writeFileSync(
      onlyBus,
      `version: 1\nhosts:\n  local:\n    address: 127.0.0.1\nservices:\n  bus:\n    kind: bus\n    host: local\n    port: ${bus.port}\n`,
    );
    const report: DoctorReport = await diagnoseFleet(onlyBus);
    expect(report).toMatchObject({ ok: true, problems: [], targets: [{ id: 'bus', state: 'up' }] });
  });
});

describe('fleet doctor', () => {
  test('prints a table of targets and states and exits 1 when a target is not up', async () => {
    const run = await runFleet(['doctor', '--config', config]);
    expect(run.code).toBe(1);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toBe(`${config}: 0 errors, 0 warnings`);
    expect(lines).toContainEqual(expect.stringMatching(/^TARGET\s+KIND\s+HOST\s+STATE\s+HTTP\s+TIME\s+URL\s+ERROR$/));
    expect(lines).toContainEqual(
      expect.stringMatching(new RegExp(`^bus\\s+bus\\s+local\\s+up\\s+200\\s+\\d+ ms\\s+${bus.url}/health\\s+-$`)),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(/^ghost\s+wizard\s+local\s+down\s+-\s+\d+ ms\s+http:\S+\s+.*refused/i),
    );
    expect(run.stderr).toBe('fleet: doctor: not up: ghost\n');
  });

  test('--json prints the report as one JSON line', async () => {
    const run = await runFleet(['doctor', '--config', config, '--json']);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as DoctorReport;
    expect(report.file).toBe(config);
    expect(report.targets.map((target) => [target.id, target.state])).toEqual([
      ['bus', 'up'],
      ['ghost', 'down'],
    ]);
  });

  test('a broken fleet file: every problem on its own line, targets not probed, exit 1', async () => {
    const broken = join(dir, 'broken.yaml');
    writeFileSync(
      broken,
      [
        'version: 1',
        'hosts:',
        '  local:',
        '    adress: 127.0.0.1',
        'services:',
        '  bus:',
        '    kind: bus',
        '    host: elsewhere',
        '    port: 8650',
        '  knowledge:',
        '    kind: knowledge',
        '    host: local',
        '    port: 99999',
        '',
      ].join('\n'),
    );
    const { errors, warnings } = await loadFleetFile(broken);
    expect(errors.length).toBeGreaterThanOrEqual(3);
    const run = await runFleet(['doctor', '--config', broken]);
    expect(run.code).toBe(1);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toBe(
      `${broken}: ${errors.length} errors, ${warnings.length} warning${warnings.length === 1 ? '' : 's'}`,
    );
    for (const problem of [...errors, ...warnings]) expect(lines).toContain(formatProblem(problem));
    expect(lines).toContain('targets not probed: the fleet file has errors');
    expect(run.stderr).toBe(`fleet: doctor: ${errors.length} errors in ${broken}\n`);
  });

  test('a condition with "===" is an error at that condition, so no healthy target is marked down', async () => {
    const file = join(dir, 'triple-equals.yaml');
    writeFileSync(
      file,
      [
        'version: 1',
        'hosts:',
        '  local: { address: 127.0.0.1 }',
        'services:',
        '  bus:',
        '    kind: bus',
        '    host: local',
        `    port: ${bus.port}`,
        '    health: { conditions: ["[STATUS] == 200", "[BODY].status === ok"] }',
        '',
      ].join('\n'),
    );
    const run = await runFleet(['doctor', '--config', file]);
    expect(run.code).toBe(1);
    // At the second condition (line 9, column 47), and where in it: column 15, the "===".
    expect(run.stdout.split('\n')).toContain(
      `${file}:9:47 error: services.bus.health.conditions.1: invalid condition "[BODY].status === ok" at column 15: ` +
        '"===" is not an operator; the operators are ==, !=, <, <=, >, >=',
    );
    expect(run.stdout).toContain('targets not probed: the fleet file has errors');
  });

  test('a missing fleet file is one error line and exit 1', async () => {
    const missing = join(dir, 'nope.yaml');
    const run = await runFleet(['doctor', '--config', missing]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`${missing}:1:1 error: cannot read the fleet file`);
  });

  test('without --config nor ./fleet.yaml, it checks the demo fleet file fleet up keeps in .fleet/', async () => {
    const cwd = tempDir('fleet-doctor-default-');
    mkdirSync(join(cwd, '.fleet'));
    await writeDemoFleet(join(cwd, '.fleet'));
    const run = spawnFleet(['doctor', '--json'], cwd);
    await run.exited;
    expect((JSON.parse(run.stdout()) as DoctorReport).file).toBe(join('.fleet', 'fleet.yaml'));

    writeFileSync(join(cwd, 'fleet.yaml'), 'version: 1\n');
    const own = spawnFleet(['doctor', '--json'], cwd);
    await own.exited;
    expect((JSON.parse(own.stdout()) as DoctorReport).file).toBe('fleet.yaml');
  });

  test('an unknown option is a usage error (exit 2)', async () => {
    const run = await runFleet(['doctor', '--confg', config]);
    expect(run).toMatchObject({ code: 2, stderr: 'fleet: unknown option: --confg\n' });
  });
});
