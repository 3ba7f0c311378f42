import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { demoFleetYaml, parseFleet } from '@fleet/sdk/fleet';
import { describe, expect, test } from 'vitest';
import { FleetFileError, localPlan, prepareFleetFile, startLocalFleet } from '../src/index.ts';
import { tempDir } from './_fleet.ts';

describe('prepareFleetFile', () => {
  test('writes the demo fleet file when there is none, on the given address', async () => {
    const config = join(tempDir(), 'conf', 'fleet.yaml');
    const prepared = await prepareFleetFile(config, '127.0.0.2');
    expect(prepared.wrote).toBe(true);
    expect(readFileSync(config, 'utf8')).toBe(demoFleetYaml({ address: '127.0.0.2' }));
    expect(prepared.fleet.hosts.local?.address).toBe('127.0.0.2');
  });

  test('loads an existing file as it is', async () => {
    const config = join(tempDir(), 'fleet.yaml');
    const text = demoFleetYaml({ busPort: 9650 });
    writeFileSync(config, text);
    const prepared = await prepareFleetFile(config, '127.0.0.1');
    expect(prepared.wrote).toBe(false);
    expect(readFileSync(config, 'utf8')).toBe(text);
    expect(prepared.fleet.services.bus?.port).toBe(9650);
  });

  test('a file with errors throws a FleetFileError carrying every problem', async () => {
    const config = join(tempDir(), 'fleet.yaml');
    writeFileSync(config, 'version: 2\nhosts:\n  a:\n    address: "not an address"\n');
    const error = await prepareFleetFile(config, '127.0.0.1').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(FleetFileError);
    const problems = (error as FleetFileError).problems;
    expect(problems.map((problem) => [problem.severity, problem.path])).toEqual([
      ['error', 'version'],
      ['error', 'hosts.a.address'],
      ['warning', 'hosts.a'],
    ]);
    expect((error as Error).message).toBe(`${config} has 2 errors; fix them (fleet doctor checks the file)`);
    await expect(startLocalFleet({ config, dir: tempDir() })).rejects.toBeInstanceOf(FleetFileError);
  });
});

describe('localPlan', () => {
  const fleetOf = (text: string) => {
    const { value, errors } = parseFleet(text, { env: {} });
    expect(errors).toEqual([]);
    return value!;
  };

  test('takes the first bus, knowledge and dashboard service and pairs the wizards in a ring', () => {
    const text = demoFleetYaml({
      wizards: [
        { name: 'a', port: 9001 },
        { name: 'b', port: 9002 },
        { name: 'c', port: 9003 },
      ],
    });
    const plan = localPlan(fleetOf(text));
    expect(plan).toEqual({
      bus: { name: 'bus', port: 8650 },
      knowledge: { name: 'knowledge', port: 8651 },
      dashboard: { name: 'dashboard', port: 8652 },
      agents: [
        { name: 'a', port: 9001, peer: 'b' },
        { name: 'b', port: 9002, peer: 'c' },
        { name: 'c', port: 9003, peer: 'a' },
      ],
      skipped: [],
    });
  });

  test('lists the services it does not run, and carries tokens', () => {
    const text = [
      'version: 1',
      'hosts: { h: { address: 127.0.0.1 } }',
      'services:',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: fleet files write ${ENV_VAR} references literally
      '  bus: { kind: bus, host: h, port: 1, token: "${T}" }',
      '  kb: { kind: knowledge, host: h, port: 2 }',
      '  dash: { kind: dashboard, host: h, port: 3 }',
      '  models: { kind: ollama, host: h, port: 4 }',
      '',
    ].join('\n');
    const { value } = parseFleet(text, { env: { T: 'secret' } });
    const plan = localPlan(value!);
    expect(plan.bus).toEqual({ name: 'bus', port: 1, token: 'secret' });
    expect(plan.skipped).toEqual(['models']);
    expect(plan.agents).toEqual([]);
  });

  test('names every missing service kind', () => {
    const fleet = fleetOf(
      'version: 1\nhosts: { h: { address: 127.0.0.1 } }\nservices:\n  kb: { kind: knowledge, host: h, port: 2 }\n',
    );
    expect(() => localPlan(fleet)).toThrow(
      /^the fleet file has no bus, no dashboard service; fleet up needs one of each/,
    );
  });
});
