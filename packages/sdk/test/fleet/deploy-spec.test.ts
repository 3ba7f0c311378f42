import { expect, test } from 'vitest';
import { bindAddress, deployLockHost, deploySettings } from '../../src/fleet/deploy-settings.ts';
import { formatProblem } from '../../src/fleet/format-problem.ts';
import { parseFleet } from '../../src/fleet/parse-fleet.ts';

const base = `version: 1
hosts:
  local: { address: 127.0.0.1 }
  vps1: { address: 203.0.113.7, bind: 10.0.0.5, ssh: { user: fleet, identity: ~/.ssh/fleet_ed25519 } }
  vps2: { address: 203.0.113.8, ssh: {} }
services:
  bus: { kind: bus, host: vps1, port: 8650 }
  ollama: { kind: ollama, host: vps2, port: 11434, install: { package: ollama } }
wizards:
  scout: { host: vps2, port: 8661, exec: [/usr/bin/python3, /opt/agents/scout.py], env: { MODE: fast } }
  local-agent: { host: local, port: 8662 }
`;

function errorsOf(text: string): string[] {
  return parseFleet(text).errors.map(formatProblem);
}

test('a fleet file without a deploy block deploys with the documented defaults', () => {
  const { value: fleet, errors } = parseFleet(base);
  expect(errors).toEqual([]);
  expect(deploySettings(fleet!)).toEqual({
    user: 'fleet',
    root: '/opt/fleet',
    config: '/etc/fleet',
    state: '/var/lib/fleet',
    node: '/usr/bin/node',
    keepReleases: 5,
    batches: [1, '25%'],
    gate: { successes: 3, timeout: 60_000, interval: 1000 },
    rollback: 'all',
    lock: { ttl: 120_000 },
  });
  expect(fleet!.hosts.vps1?.ssh).toEqual({ user: 'fleet', port: 22, identity: '~/.ssh/fleet_ed25519' });
  expect(fleet!.services.ollama?.install).toEqual({ package: 'ollama' });
  expect(fleet!.wizards.scout?.exec).toEqual(['/usr/bin/python3', '/opt/agents/scout.py']);
});

test("services bind the host's bind address; everything others use keeps the advertised address", () => {
  const { value: fleet } = parseFleet(base);
  expect(bindAddress(fleet!, 'vps1')).toBe('10.0.0.5');
  expect(bindAddress(fleet!, 'vps2')).toBe('203.0.113.8');
  expect(() => bindAddress(fleet!, 'nope')).toThrow('unknown host "nope"');
});

test('the lock lives on deploy.lock.host, else on the first host managed over SSH', () => {
  expect(deployLockHost(parseFleet(base).value!)).toBe('vps1');
  const chosen = `${base}deploy:\n  lock: { host: vps2, ttl: 30s }\n`;
  const { value: fleet, errors } = parseFleet(chosen);
  expect(errors).toEqual([]);
  expect(deployLockHost(fleet!)).toBe('vps2');
  expect(deploySettings(fleet!).lock).toEqual({ host: 'vps2', ttl: 30_000 });
});

test('a lock host that is unknown or not reachable over SSH is an error at its line', () => {
  expect(errorsOf(`${base}deploy:\n  lock: { host: local }\n`)).toEqual([
    'fleet.yaml:13:17 error: deploy.lock.host: host "local" has no ssh block; the deploy lock must live on a host the deployer reaches over SSH',
  ]);
  expect(errorsOf(`${base}deploy:\n  lock: { host: gone }\n`)).toEqual([
    'fleet.yaml:13:17 error: deploy.lock.host: unknown host "gone" (hosts: local, vps1, vps2)',
  ]);
});

test('a lock TTL or gate timing a deploy cannot work with is an error naming the field', () => {
  const text = `${base}deploy:\n  lock: { ttl: 30d }\n  gate: { timeout: 0s, interval: 0ms }\n`;
  expect(errorsOf(text)).toEqual([
    expect.stringMatching(/^fleet\.yaml:13:\d+ error: deploy\.lock\.ttl: must be between 10s and 24h$/),
    expect.stringMatching(/^fleet\.yaml:14:\d+ error: deploy\.gate\.timeout: must be between 1s and 24h$/),
    expect.stringMatching(/^fleet\.yaml:14:\d+ error: deploy\.gate\.interval: must be between 100ms and 1h$/),
  ]);
});

test('bad rollout batches, paths and install blocks are named precisely', () => {
  const text = `${base}deploy:\n  batches: [0, "150%"]\n  root: opt/fleet\n  keepReleases: 1\n`;
  expect(errorsOf(text)).toEqual([
    'fleet.yaml:13:13 error: deploy.batches.0: must be a number of hosts (1 or more) or a percentage of the selected hosts, e.g. "25%"',
    'fleet.yaml:13:16 error: deploy.batches.1: must be a number of hosts (1 or more) or a percentage of the selected hosts, e.g. "25%"',
    'fleet.yaml:14:9 error: deploy.root: must be an absolute path, e.g. /opt/fleet',
    'fleet.yaml:15:17 error: deploy.keepReleases: must be a whole number from 2 to 50',
  ]);
  expect(errorsOf(base.replace('install: { package: ollama }', 'install: {}'))).toEqual([
    'fleet.yaml:8:61 error: services.ollama.install: give the binary, the package, or both',
  ]);
});
