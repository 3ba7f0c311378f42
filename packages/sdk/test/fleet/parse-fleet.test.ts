import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { demoFleetYaml } from '../../src/fleet/demo.ts';
import { loadFleetFile } from '../../src/fleet/load-fleet-file.ts';
import { parseFleet } from '../../src/fleet/parse-fleet.ts';
import { HEALTH_PRESETS } from '../../src/fleet/presets.ts';
import { fleetTargets } from '../../src/fleet/targets.ts';
import { yaml } from './_fleet.ts';

const VALID = yaml(
  'version: 1',
  'name: prod',
  'hosts:',
  '  ezra:',
  '    address: 10.0.0.5',
  '    ssh: { user: fleet }',
  '    groups: [gpu, agents]',
  '  gitbox:',
  '    address: git.example.com',
  'services:',
  '  bus:',
  '    kind: bus',
  '    host: ezra',
  '    port: 8650',
  '  models:',
  '    kind: ollama',
  '    host: ezra',
  '    port: 11434',
  '    health: { interval: 4s }',
  '  git:',
  '    kind: gitea',
  '    host: gitbox',
  '    port: 443',
  '    scheme: https',
  '    health:',
  '      interval: 2m',
  '      timeout: 500ms',
  '      conditions: ["[STATUS] == 200", "[RESPONSE_TIME] < 300"]',
  '      failureThreshold: 5',
  'wizards:',
  '  allegro:',
  '    host: ezra',
  '    port: 8643',
  '    model: llama3.1:8b',
  '    provider: ollama',
  '    env: { OLLAMA_URL: "http://localhost:11434", MAX_TURNS: 12, VERBOSE: true }',
  '    health: { path: /status }',
);

describe('parseFleet on a valid file', () => {
  test('loads it with no problems, defaults filled in and presets applied', () => {
    const { value, errors, warnings } = parseFleet(VALID, { env: {} });
    expect(errors).toEqual([]);
    expect(warnings).toEqual([]);
    expect(value?.hosts).toEqual({
      ezra: { address: '10.0.0.5', ssh: { user: 'fleet', port: 22 }, groups: ['gpu', 'agents'] },
      gitbox: { address: 'git.example.com', groups: [] },
    });
    expect(value?.services.bus).toEqual({
      kind: 'bus',
      host: 'ezra',
      port: 8650,
      scheme: 'http',
      health: {
        path: '/health',
        intervalMs: 30_000,
        timeoutMs: 5_000,
        conditions: ['[STATUS] == 200', '[BODY].status == ok'],
        failureThreshold: 3,
        successThreshold: 2,
      },
    });
    expect(value?.wizards.allegro).toEqual({
      kind: 'wizard',
      host: 'ezra',
      port: 8643,
      scheme: 'http',
      model: 'llama3.1:8b',
      provider: 'ollama',
      env: { OLLAMA_URL: 'http://localhost:11434', MAX_TURNS: '12', VERBOSE: 'true' },
      health: {
        path: '/status',
        intervalMs: 30_000,
        timeoutMs: 5_000,
        conditions: ['[STATUS] == 200', '[BODY].status == ok'],
        failureThreshold: 3,
        successThreshold: 2,
      },
    });
  });

  test('Ollama is healthy only when it lists models; a short interval halves the default timeout', () => {
    const health = parseFleet(VALID, { env: {} }).value?.services.models?.health;
    expect(health).toMatchObject({
      path: '/api/tags',
      conditions: ['[STATUS] == 200', '[BODY].models.length > 0'],
      intervalMs: 4_000,
      timeoutMs: 2_000,
    });
  });

  test('written conditions replace the preset; durations and thresholds are taken as written', () => {
    const health = parseFleet(VALID, { env: {} }).value?.services.git?.health;
    expect(health).toEqual({
      path: HEALTH_PRESETS.gitea.path,
      intervalMs: 120_000,
      timeoutMs: 500,
      conditions: ['[STATUS] == 200', '[RESPONSE_TIME] < 300'],
      failureThreshold: 5,
      successThreshold: 2,
    });
  });

  test('every kind has a preset whose default timeout is at most half its interval', () => {
    for (const preset of Object.values(HEALTH_PRESETS)) {
      expect(preset.path.startsWith('/')).toBe(true);
      expect(preset.conditions).toContain('[STATUS] == 200');
      expect(preset.timeoutMs * 2).toBeLessThanOrEqual(preset.intervalMs);
    }
  });

  test('empty sections are the same as absent ones', () => {
    const { value, errors } = parseFleet(yaml('version: 1', 'hosts:', 'services:', '  # none yet', 'wizards:'), {
      env: {},
    });
    expect(errors).toEqual([]);
    expect(value).toEqual({ version: 1, hosts: {}, services: {}, wizards: {} });
  });
});

describe('demoFleetYaml', () => {
  test('the demo file loads with no problems and describes the local fleet', () => {
    const { value, errors, warnings } = parseFleet(demoFleetYaml(), { env: {} });
    expect(errors).toEqual([]);
    expect(warnings).toEqual([]);
    expect(fleetTargets(value!).map((target) => [target.id, target.kind, target.url])).toEqual([
      ['bus', 'bus', 'http://127.0.0.1:8650/health'],
      ['knowledge', 'knowledge', 'http://127.0.0.1:8651/health'],
      ['dashboard', 'dashboard', 'http://127.0.0.1:8652/health'],
      ['scout', 'wizard', 'http://127.0.0.1:8661/health'],
      ['scribe', 'wizard', 'http://127.0.0.1:8662/health'],
    ]);
    expect(value?.wizards.scout?.env).toEqual({ FLEET_BUS_URL: 'http://127.0.0.1:8650' });
  });

  test('the demo file follows its options, an IPv6 address included', () => {
    const text = demoFleetYaml({
      address: '::1',
      busPort: 9650,
      knowledgePort: 9651,
      dashboardPort: 9652,
      wizards: [{ name: 'ping', port: 9661 }],
    });
    const { value, errors, warnings } = parseFleet(text, { env: {} });
    expect([...errors, ...warnings]).toEqual([]);
    expect(fleetTargets(value!).map((target) => target.url)).toEqual([
      'http://[::1]:9650/health',
      'http://[::1]:9651/health',
      'http://[::1]:9652/health',
      'http://[::1]:9661/health',
    ]);
    expect(value?.wizards.ping?.env.FLEET_BUS_URL).toBe('http://[::1]:9650');
  });
});

describe('loadFleetFile', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fleet-file-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('reads the file and names it in problems', async () => {
    const file = join(dir, 'fleet.yaml');
    await writeFile(file, yaml('version: 1', 'hosts:', '  ezra: { address: 10.0.0.5, sshh: {} }'));
    const { value, errors } = await loadFleetFile(file, { env: {} });
    expect(value).toBeUndefined();
    expect(errors).toEqual([
      {
        file,
        line: 3,
        column: 30,
        path: 'hosts.ezra.sshh',
        message: 'unknown key "sshh" (did you mean "ssh"?)',
        severity: 'error',
      },
    ]);
  });

  test('a file that cannot be read is one error, not an exception', async () => {
    const file = join(dir, 'missing.yaml');
    const { value, errors, warnings } = await loadFleetFile(file);
    expect(value).toBeUndefined();
    expect(warnings).toEqual([]);
    expect(errors).toEqual([
      expect.objectContaining({
        file,
        line: 1,
        column: 1,
        path: '',
        message: expect.stringMatching(/^cannot read the fleet file: ENOENT/),
      }),
    ]);
  });
});
