// biome-ignore-all lint/suspicious/noTemplateCurlyInString: fleet files write ${ENV_VAR} references literally
import { isDeployError } from '@fleet/sdk/deploy';
import { expect, test } from 'vitest';
import { FLEET_BINS } from '../src/deploy/fleet-bundle.ts';
import { parseDeployFleet } from '../src/deploy/load-deploy-fleet.ts';
import { sitePlan } from '../src/site/site-plan.ts';

const BINS = Object.fromEntries(FLEET_BINS.map((entry) => [entry.bin, `packages/x/bin/${entry.bin}.js`]));
const bundle = { file: '/tmp/none.tar.gz', sha256: 'a'.repeat(64), id: 'a'.repeat(12), bins: BINS };
const ENV = { HOOK_SECRET: 'hook-secret-24680', HOOK_TOKEN: 'hook-token-13579' };

function fleetText(env: string): string {
  return `version: 1
hosts:
  vps1: { address: 203.0.113.7, bind: 10.0.0.5, ssh: {} }
services:
  hook: { kind: deploy-hook, host: vps1, port: 8653, token: "\${HOOK_TOKEN}", env: ${env} }
deploy:
  node: ${process.execPath}
`;
}

function plan(env: string) {
  const text = fleetText(env);
  return sitePlan({ fleet: parseDeployFleet(text, 'fleet.yaml', ENV).fleet, fleetText: text, host: 'vps1', bundle });
}

test('a deploy-hook service runs `fleet-deploy hook` from the release with its secret, repository and token', () => {
  const site = plan('{ FLEET_DEPLOY_SECRET: "${HOOK_SECRET}", FLEET_DEPLOY_REPOSITORY: ops/fleet }');
  const hook = site.services.find((service) => service.name === 'hook')!;
  expect(hook).toMatchObject({ unit: 'fleet-hook.service', phase: 'fleet', kind: 'deploy-hook', port: 8653 });
  expect(hook.execStart).toContain('packages/x/bin/fleet-deploy.js hook --config');
  expect(hook.execStart).toContain('--host ${HOST} --port ${PORT}');
  expect(hook.execStart).toContain('--state /var/lib/fleet/hook/hook-state.json');
  expect(hook.env).toMatchObject({
    FLEET_DEPLOY_SECRET: ENV.HOOK_SECRET,
    FLEET_DEPLOY_REPOSITORY: 'ops/fleet',
    FLEET_DEPLOY_HOOK_TOKENS: ENV.HOOK_TOKEN,
    HOST: '10.0.0.5',
    PORT: '8653',
  });
  expect(hook.secrets).toEqual(expect.arrayContaining([ENV.HOOK_SECRET, ENV.HOOK_TOKEN]));
  expect(hook.health.url).toBe('http://203.0.113.7:8653/health');
});

test('a host that runs only the deploy hook gets the fleet file its unit reads as --config', () => {
  const site = plan('{ FLEET_DEPLOY_SECRET: "${HOOK_SECRET}", FLEET_DEPLOY_REPOSITORY: ops/fleet }');
  const config = site.units['fleet-hook.service']!.match(/--config (\S+)/)![1]!;
  expect(config).toMatch(/\/current\/etc\/fleet\.yaml$/);
  const written = site.plan.phases.flatMap((phase) => phase.steps.map((step) => step.name));
  expect(written.some((name) => name.endsWith('/etc/fleet.yaml'))).toBe(true);
});

test.each([
  ['{ FLEET_DEPLOY_REPOSITORY: ops/fleet }', 'services.hook: a deploy-hook needs env.FLEET_DEPLOY_SECRET'],
  ['{ FLEET_DEPLOY_SECRET: "${HOOK_SECRET}" }', 'services.hook: a deploy-hook needs env.FLEET_DEPLOY_REPOSITORY'],
])('a deploy-hook without a secret or a repository is refused by the plan (%s)', (env, message) => {
  let refused: unknown;
  try {
    plan(env);
  } catch (error) {
    refused = error;
  }
  expect(isDeployError(refused)).toBe(true);
  expect((refused as Error).message).toMatch(new RegExp(`^${message.replaceAll('.', '\\.')}`));
});

test("the release bundle carries the deployer's bin, which the deploy-hook unit runs", () => {
  expect(FLEET_BINS).toContainEqual({ package: '@fleet/deployer', bin: 'fleet-deploy' });
});
