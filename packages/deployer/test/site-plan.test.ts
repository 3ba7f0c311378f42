// biome-ignore-all lint/suspicious/noTemplateCurlyInString: fleet files write ${ENV_VAR} references literally
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Step } from '@fleet/sdk/deploy';
import { hasSystemCommand } from '@fleet/test-utils/system-deps';
import { afterAll, describe, expect, test } from 'vitest';
import { rolloutBatches } from '../src/deploy/batches.ts';
import { FLEET_BINS } from '../src/deploy/fleet-bundle.ts';
import { parseDeployFleet } from '../src/deploy/load-deploy-fleet.ts';
import { selectHosts } from '../src/deploy/select-hosts.ts';
import { sitePlan } from '../src/site/site-plan.ts';

const BINS = Object.fromEntries(FLEET_BINS.map((entry) => [entry.bin, `packages/x/bin/${entry.bin}.js`]));
const bundle = { file: '/tmp/none.tar.gz', sha256: 'a'.repeat(64), id: 'a'.repeat(12), bins: BINS };
const ENV = { BUS_TOKEN: 'bus-secret-123456', GITEA_SECRET: 'gitea-secret-98765' };

const TEXT = `version: 1
hosts:
  vps1: { address: 203.0.113.7, bind: 10.0.0.5, ssh: {}, groups: [core] }
  vps2: { address: 203.0.113.8, ssh: {}, groups: [gpu] }
  laptop: { address: 127.0.0.1 }
services:
  bus: { kind: bus, host: vps1, port: 8650, token: "\${BUS_TOKEN}" }
  ollama: { kind: ollama, host: vps2, port: 11434, install: { binary: /usr/local/bin/ollama } }
  git: { kind: gitea, host: vps1, port: 3000, install: { package: gitea }, env: { GITEA__security__SECRET_KEY: "\${GITEA_SECRET}" } }
  matrix: { kind: conduit, host: vps2, port: 6167, install: { binary: /usr/local/bin/conduit } }
  local-bus: { kind: bus, host: laptop, port: 8650 }
wizards:
  scout: { host: vps2, port: 8661, model: "llama3.1:8b", provider: ollama, env: { MODE: fast } }
deploy:
  node: ${process.execPath}
`;

const fleet = () => parseDeployFleet(TEXT, 'fleet.yaml', ENV);
const site = (host: string) => sitePlan({ fleet: fleet().fleet, fleetText: TEXT, host, bundle });
const stepNames = (steps: readonly Step[]) => steps.map((step) => step.name);

test("a host's plan has the site phases in order, each with what the fleet file puts on that host", () => {
  const vps1 = site('vps1');
  expect(vps1.plan.phases.map((phase) => phase.name)).toEqual(['preflight', 'baseline', 'release', 'fleet', 'gitea']);
  expect(vps1.services.map((service) => `${service.unit} ${service.phase}`)).toEqual([
    'fleet-bus.service fleet',
    'fleet-git.service gitea',
  ]);
  const vps2 = site('vps2');
  expect(vps2.plan.phases.map((phase) => phase.name)).toEqual([
    'preflight',
    'baseline',
    'release',
    'ollama',
    'conduit',
    'wizards',
  ]);
  expect(stepNames(vps2.plan.phases.at(-1)!.steps)).toEqual([
    'unit fleet-wizard-scout.service',
    'service fleet-wizard-scout.service',
  ]);
  expect(Object.keys(vps2.plan.handlers ?? {})).toContain('restart fleet-wizard-scout.service');
});

test('the release keeps a copy of every unit file it writes; a changed command line alone is a new release', () => {
  const vps2 = site('vps2');
  const release = vps2.plan.phases.find((phase) => phase.name === 'release')!;
  const units = `/opt/fleet/app/releases/${vps2.releaseId}/units`;
  expect(stepNames(release.steps)).toEqual(
    expect.arrayContaining([`directory ${units}`, ...Object.keys(vps2.units).map((unit) => `file ${units}/${unit}`)]),
  );
  const text = TEXT.replace('env: { MODE: fast } }', 'env: { MODE: fast }, exec: [/usr/local/bin/scout] }');
  const other = sitePlan({
    fleet: parseDeployFleet(text, 'fleet.yaml', ENV).fleet,
    fleetText: text,
    host: 'vps2',
    bundle,
  });
  expect(other.units['fleet-wizard-scout.service']).toContain('ExecStart=/usr/local/bin/scout');
  expect(other.releaseHash).not.toBe(vps2.releaseHash);
});

test("services bind the host's bind address; health checks use the address others reach", () => {
  const bus = site('vps1').services.find((service) => service.name === 'bus')!;
  expect(bus.env).toMatchObject({ HOST: '10.0.0.5', PORT: '8650', FLEET_BUS_TOKENS: ENV.BUS_TOKEN });
  expect(bus.health.url).toBe('http://203.0.113.7:8650/health');
  expect(bus.health.headers).toEqual({ Authorization: `Bearer ${ENV.BUS_TOKEN}` });
  expect(bus.secrets).toContain(ENV.BUS_TOKEN);
});

test('a wizard gets its model, provider, env, port and the bus from the file', () => {
  const scout = site('vps2').services.find((service) => service.name === 'scout')!;
  expect(scout.env).toMatchObject({
    FLEET_WIZARD: 'scout',
    FLEET_MODEL: 'llama3.1:8b',
    FLEET_PROVIDER: 'ollama',
    MODE: 'fast',
    PORT: '8661',
    HOST: '203.0.113.8',
    FLEET_BUS_URL: 'http://203.0.113.7:8650',
    FLEET_BUS_TOKEN: ENV.BUS_TOKEN,
  });
  expect(scout.execStart).toBe(`${process.execPath} /opt/fleet/app/current/packages/x/bin/fleet.js agent`);
});

test("gitea: registration off, sign-in required, webhooks only to the fleet's hosts; conduit: registration and federation off", () => {
  const git = site('vps1').services.find((service) => service.kind === 'gitea')!;
  const ini = git.files[0]!.content;
  expect(ini).toContain('DISABLE_REGISTRATION = true');
  expect(ini).toContain('REQUIRE_SIGNIN_VIEW = true');
  expect(ini).toMatch(/ALLOWED_HOST_LIST = 203\.0\.113\.7,10\.0\.0\.5,203\.0\.113\.8,127\.0\.0\.1\n/);
  expect(ini).not.toMatch(/ALLOWED_HOST_LIST = .*\*/);
  expect(git.env.GITEA__security__SECRET_KEY).toBe(ENV.GITEA_SECRET);
  expect(git.execStart).toBe('/usr/bin/gitea web --config /opt/fleet/app/current/etc/git/app.ini');
  const matrix = site('vps2').services.find((service) => service.kind === 'conduit')!;
  expect(matrix.files[0]!.content).toContain('allow_registration = false');
  expect(matrix.files[0]!.content).toContain('allow_federation = false');
});

test('a server on a public address without a token is refused, naming the fix', () => {
  const open = TEXT.replace(', token: "${BUS_TOKEN}"', '');
  expect(() =>
    sitePlan({
      fleet: parseDeployFleet(open, 'fleet.yaml', ENV).fleet,
      fleetText: open,
      host: 'vps1',
      bundle,
    }),
  ).toThrow('services.bus would listen on 10.0.0.5 without a token: give it one (token: ${FLEET_BUS_TOKEN})');
});

test('an invalid fleet file is a usage error carrying every problem at its line', () => {
  expect(() => parseDeployFleet('version: 1\nhosts:\n  a: { address: 999.1.1.1 }\n')).toThrow(
    expect.objectContaining({
      code: 'deploy_usage',
      problems: [expect.stringMatching(/^fleet\.yaml:3:17 error: hosts\.a\.address/)],
    }),
  );
});

test('rollout batches: a number or a percentage, the last one repeating', () => {
  const hosts = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'];
  expect(rolloutBatches(hosts, [1, '25%'])).toEqual([['a'], ['b', 'c', 'd'], ['e', 'f', 'g'], ['h', 'i']]);
  expect(rolloutBatches(hosts, ['100%'])).toEqual([hosts]);
  expect(rolloutBatches(['a'], [1, '25%'])).toEqual([['a']]);
  expect(rolloutBatches(['a', 'b'], [5])).toEqual([['a', 'b']]);
});

test('hosts are selected by name or group; by default every host with ssh', () => {
  const { fleet: loaded } = fleet();
  expect(selectHosts(loaded)).toEqual(['vps1', 'vps2']);
  expect(selectHosts(loaded, { groups: ['gpu'] })).toEqual(['vps2']);
  expect(selectHosts(loaded, { hosts: ['vps2'], groups: ['core'] })).toEqual(['vps1', 'vps2']);
  expect(() => selectHosts(loaded, { hosts: ['nope'] })).toThrow(
    '--hosts: no host "nope" in the fleet file (hosts: vps1, vps2, laptop)',
  );
  expect(() => selectHosts(loaded, { hosts: ['laptop'] })).toThrow('host laptop has no ssh block');
});

describe.skipIf(!hasSystemCommand('systemd-analyze', 'systemd'))('the units the site plan writes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-site-units-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('pass systemd-analyze verify (unknown keys are errors) and score at most 2.0 in its security check', () => {
    const units = { ...site('vps1').units, ...site('vps2').units };
    expect(Object.keys(units).sort()).toEqual([
      'fleet-bus.service',
      'fleet-git.service',
      'fleet-matrix.service',
      'fleet-ollama.service',
      'fleet-wizard-scout.service',
    ]);
    for (const [unit, text] of Object.entries(units)) {
      expect(text).not.toContain('MemoryDenyWriteExecute');
      const file = join(dir, unit);
      // verify needs ExecStart's program here: the operator's binaries stand in as this Node.
      writeFileSync(file, text.replace(/^ExecStart=\S+/m, `ExecStart=${process.execPath}`));
      const verify = spawnSync('systemd-analyze', ['verify', '--man=no', '--recursive-errors=no', file], {
        encoding: 'utf8',
      });
      expect({ unit, status: verify.status, output: verify.stderr }).toMatchObject({ unit, status: 0 });
      const security = spawnSync('systemd-analyze', ['security', '--offline=true', '--threshold=20', file], {
        encoding: 'utf8',
      });
      expect({ unit, status: security.status, output: security.stdout.split('\n').at(-2) }).toMatchObject({
        unit,
        status: 0,
      });
    }
  });
});
