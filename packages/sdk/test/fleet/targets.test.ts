// biome-ignore-all lint/suspicious/noTemplateCurlyInString: fleet files write ${ENV_VAR} references literally
import { describe, expect, test } from 'vitest';
import { isFleetError } from '../../src/errors.ts';
import { parseFleet } from '../../src/fleet/parse-fleet.ts';
import type { Fleet } from '../../src/fleet/schema.ts';
import { fleetTargets, servicesOfKind, serviceUrl } from '../../src/fleet/targets.ts';
import { MonitorTarget } from '../../src/schemas/monitor.ts';
import { yaml } from './_fleet.ts';

function load(text: string): Fleet {
  const { value, errors } = parseFleet(text, { env: { GIT_TOKEN: 'git-secret-token' } });
  expect(errors).toEqual([]);
  return value!;
}

const FLEET = load(
  yaml(
    'version: 1',
    'hosts:',
    '  ezra: { address: 10.0.0.5 }',
    '  v6: { address: "2001:db8::7" }',
    '  gitbox: { address: git.example.com }',
    'services:',
    '  bus: { kind: bus, host: ezra, port: 8650 }',
    '  kb-ezra: { kind: knowledge, host: ezra, port: 8651 }',
    '  kb-v6: { kind: knowledge, host: v6, port: 8651, health: { interval: 1m, timeout: 10s } }',
    '  git: { kind: gitea, host: gitbox, port: 443, scheme: https, token: "${GIT_TOKEN}" }',
    'wizards:',
    '  allegro: { host: v6, port: 8643 }',
  ),
);

describe('fleetTargets', () => {
  test('derives one target per service and wizard, with health URLs from address, port and path', () => {
    const targets = fleetTargets(FLEET);
    expect(targets.map((target) => [target.id, target.kind, target.host, target.url])).toEqual([
      ['bus', 'bus', 'ezra', 'http://10.0.0.5:8650/health'],
      ['kb-ezra', 'knowledge', 'ezra', 'http://10.0.0.5:8651/health'],
      ['kb-v6', 'knowledge', 'v6', 'http://[2001:db8::7]:8651/health'],
      ['git', 'gitea', 'gitbox', 'https://git.example.com:443/api/healthz'],
      ['allegro', 'wizard', 'v6', 'http://[2001:db8::7]:8643/health'],
    ]);
    for (const target of targets) expect(MonitorTarget.parse(target)).toEqual(target);
  });

  test('carries intervals and timeouts in milliseconds, thresholds and conditions', () => {
    const kb = fleetTargets(FLEET).find((target) => target.id === 'kb-v6');
    expect(kb).toEqual({
      id: 'kb-v6',
      kind: 'knowledge',
      host: 'v6',
      url: 'http://[2001:db8::7]:8651/health',
      intervalMs: 60_000,
      timeoutMs: 10_000,
      conditions: ['[STATUS] == 200', '[BODY].status == ok'],
      failureThreshold: 3,
      successThreshold: 2,
    });
  });

  test('a service token becomes an Authorization header; no token, no headers', () => {
    const targets = fleetTargets(FLEET);
    expect(targets.find((target) => target.id === 'git')?.headers).toEqual({
      Authorization: 'Bearer git-secret-token',
    });
    expect(targets.find((target) => target.id === 'bus')).not.toHaveProperty('headers');
  });

  test('a hand-built fleet with a target on a missing host is refused with the place named', () => {
    const broken = structuredClone(FLEET);
    broken.services.bus!.host = 'nowhere';
    let thrown: unknown;
    try {
      fleetTargets(broken);
    } catch (error) {
      thrown = error;
    }
    expect(isFleetError(thrown) && thrown.code).toBe('validation_failed');
    expect((thrown as Error).message).toBe('services.bus.host: unknown host "nowhere"');
  });
});

describe('fleet helpers', () => {
  test('serviceUrl gives the base URL of a service or wizard, undefined for an unknown name', () => {
    expect(serviceUrl(FLEET, 'bus')).toBe('http://10.0.0.5:8650');
    expect(serviceUrl(FLEET, 'git')).toBe('https://git.example.com:443');
    expect(serviceUrl(FLEET, 'allegro')).toBe('http://[2001:db8::7]:8643');
    expect(serviceUrl(FLEET, 'nope')).toBeUndefined();
  });

  test('servicesOfKind lists the services of a kind, and the wizards for kind wizard, in file order', () => {
    expect(servicesOfKind(FLEET, 'knowledge').map((service) => service.name)).toEqual(['kb-ezra', 'kb-v6']);
    expect(servicesOfKind(FLEET, 'wizard').map((wizard) => [wizard.name, wizard.port])).toEqual([['allegro', 8643]]);
    expect(servicesOfKind(FLEET, 'ollama')).toEqual([]);
  });
});
