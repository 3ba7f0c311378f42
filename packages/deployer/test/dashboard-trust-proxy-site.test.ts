// biome-ignore-all lint/suspicious/noTemplateCurlyInString: systemd expands ${HOST} and ${PORT} in ExecStart= from the unit environment
import { expect, test } from 'vitest';
import { FLEET_BINS } from '../src/deploy/fleet-bundle.ts';
import { parseDeployFleet } from '../src/deploy/load-deploy-fleet.ts';
import { sitePlan } from '../src/site/site-plan.ts';

const BINS = Object.fromEntries(FLEET_BINS.map((entry) => [entry.bin, `packages/x/bin/${entry.bin}.js`]));
const bundle = { file: '/tmp/none.tar.gz', sha256: 'a'.repeat(64), id: 'a'.repeat(12), bins: BINS };

function dashboardOf(service: string) {
  const text = `version: 1
hosts:
  vps1: { address: 203.0.113.7, ssh: {} }
services:
  dash: { kind: dashboard, host: vps1, port: 8652, token: "dash-token-24680"${service} }
deploy:
  node: ${process.execPath}
`;
  const site = sitePlan({
    fleet: parseDeployFleet(text, 'fleet.yaml', {}).fleet,
    fleetText: text,
    host: 'vps1',
    bundle,
  });
  return site.services.find((entry) => entry.name === 'dash')!;
}

test("a dashboard service's trustProxy becomes one --trust-proxy per address on its unit's command line", () => {
  const dashboard = dashboardOf(', trustProxy: [127.0.0.1, "10.0.0.0/8", "fd00::/8"]');
  expect(dashboard.execStart).toMatch(/fleet-dashboard\.js server --config \S+ --db \S+ /);
  expect(dashboard.execStart).toContain(
    '--trust-proxy 127.0.0.1 --trust-proxy 10.0.0.0/8 --trust-proxy fd00::/8 --host ${HOST} --port ${PORT}',
  );
});

test('a dashboard service without trustProxy trusts no proxy', () => {
  expect(dashboardOf('').execStart).not.toContain('--trust-proxy');
});
