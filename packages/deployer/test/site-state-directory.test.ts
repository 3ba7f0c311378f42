// biome-ignore-all lint/suspicious/noTemplateCurlyInString: systemd expands ${HOST} and ${PORT} in ExecStart= from the unit environment
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasSystemCommand } from '@fleet/test-utils/system-deps';
import { afterAll, describe, expect, test } from 'vitest';
import { FLEET_BINS } from '../src/deploy/fleet-bundle.ts';
import { parseDeployFleet } from '../src/deploy/load-deploy-fleet.ts';
import { sitePlan } from '../src/site/site-plan.ts';

const BINS = Object.fromEntries(FLEET_BINS.map((entry) => [entry.bin, `packages/x/bin/${entry.bin}.js`]));
const bundle = { file: '/tmp/none.tar.gz', sha256: 'a'.repeat(64), id: 'a'.repeat(12), bins: BINS };
const ENV = {
  BUS_TOKEN: 'bus-secret-123456',
  KNOWLEDGE_TOKEN: 'kn-secret-654321',
  DASHBOARD_TOKEN: 'dash-secret-13579',
};

/** The units of one host running each kind of Fleet's own services, with `deploy` lines added. */
function unitsWith(deploy: string[] = []): Record<string, string> {
  const text = `version: 1
hosts:
  vps1: { address: 203.0.113.7, ssh: {} }
services:
  bus: { kind: bus, host: vps1, port: 8650, token: "\${BUS_TOKEN}" }
  k1: { kind: knowledge, host: vps1, port: 8651, token: "\${KNOWLEDGE_TOKEN}" }
  dash: { kind: dashboard, host: vps1, port: 8652, token: "\${DASHBOARD_TOKEN}" }
wizards:
  scout: { host: vps1, port: 8661 }
deploy:
  node: ${process.execPath}
${deploy.map((line) => `  ${line}\n`).join('')}`;
  const { fleet } = parseDeployFleet(text, 'fleet.yaml', ENV);
  return sitePlan({ fleet, fleetText: text, host: 'vps1', bundle }).units;
}

const directive = (unit: string, key: string) =>
  [...unit.matchAll(new RegExp(`^${key}=(.*)$`, 'gm'))].map((match) => match[1]);

test('by default each unit writes only its StateDirectory= under /var/lib/fleet and runs there', () => {
  const units = unitsWith();
  for (const [unit, text] of Object.entries(units)) {
    const name = unit.replace(/^fleet-(wizard-)?/, '').replace(/\.service$/, '');
    expect({ unit, state: directive(text, 'StateDirectory'), cwd: directive(text, 'WorkingDirectory') }).toEqual({
      unit,
      state: [`fleet/${name}`],
      cwd: [`/var/lib/fleet/${name}`],
    });
    expect(text).not.toContain('ReadWritePaths=');
  }
  expect(units['fleet-bus.service']).toMatch(
    / --host \$\{HOST\} --port \$\{PORT\} --db \/var\/lib\/fleet\/bus\/bus\.db\n/,
  );
});

test('with deploy.state elsewhere each unit may write its directory there, and runs in it', () => {
  const units = unitsWith(['state: /srv/fleet']);
  expect(Object.keys(units)).toHaveLength(4);
  for (const [unit, text] of Object.entries(units)) {
    const name = unit.replace(/^fleet-(wizard-)?/, '').replace(/\.service$/, '');
    expect({ unit, paths: directive(text, 'ReadWritePaths'), cwd: directive(text, 'WorkingDirectory') }).toEqual({
      unit,
      paths: [`/srv/fleet/${name}`],
      cwd: [`/srv/fleet/${name}`],
    });
    // StateDirectory= can only name a directory under /var/lib: one there would be the wrong place.
    expect(text).not.toContain('StateDirectory=');
  }
  expect(units['fleet-bus.service']).toContain(' --db /srv/fleet/bus/bus.db\n');
  expect(units['fleet-k1.service']).toContain(' --db /srv/fleet/k1/knowledge.db');
  expect(units['fleet-dash.service']).toContain(' --db /srv/fleet/dash/history.db');
});

test('a state path with a space and $ is one --db word for systemd, its $ not expanded', () => {
  const units = unitsWith(['state: "/srv/fleet $HOME data"']);
  const bus = units['fleet-bus.service']!;
  // Quoted as one word; `$$` is systemd's literal `$`.
  expect(directive(bus, 'ExecStart')[0]).toMatch(
    / --host \$\{HOST\} --port \$\{PORT\} --db "\/srv\/fleet \$\$HOME data\/bus\/bus\.db"$/,
  );
  expect(directive(units['fleet-k1.service']!, 'ExecStart')[0]).toContain(
    ' --db "/srv/fleet $$HOME data/k1/knowledge.db"',
  );
  // ReadWritePaths= splits on spaces but expands no `$`; WorkingDirectory= takes its whole line.
  expect(directive(bus, 'ReadWritePaths')).toEqual(['"/srv/fleet $HOME data/bus"']);
  expect(directive(bus, 'WorkingDirectory')).toEqual(['/srv/fleet $HOME data/bus']);
});

test('a % in deploy.root or deploy.state stays a literal % in every path of the unit', () => {
  const units = unitsWith(['root: /opt/fleet%i', 'state: /srv/fleet%h']);
  const bus = units['fleet-bus.service']!;
  expect(directive(bus, 'EnvironmentFile')).toEqual(['/opt/fleet%%i/app/current/etc/fleet-bus.env']);
  expect(directive(bus, 'WorkingDirectory')).toEqual(['/srv/fleet%%h/bus']);
  expect(directive(bus, 'ReadWritePaths')).toEqual(['"/srv/fleet%%h/bus"']);
  expect(directive(bus, 'ExecStart')[0]).toContain(' --db "/srv/fleet%%h/bus/bus.db"');
  // No other `%` anywhere: each one in a path is doubled.
  for (const [unit, text] of Object.entries(units)) {
    expect({ unit, single: text.replaceAll('%%', '').includes('%') }).toEqual({ unit, single: false });
  }
});

describe.skipIf(!hasSystemCommand('systemd-analyze', 'systemd'))('units with deploy.state elsewhere', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-state-units-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('pass systemd-analyze verify and score at most 2.0 in its security check', () => {
    const settings = [['state: /srv/fleet'], ['state: "/srv/fleet $HOME 100% data"'], ['root: /opt/fleet%i']];
    for (const state of settings) {
      for (const [unit, text] of Object.entries(unitsWith(state))) {
        const file = join(dir, unit);
        writeFileSync(file, text);
        const verify = spawnSync('systemd-analyze', ['verify', '--man=no', '--recursive-errors=no', file], {
          encoding: 'utf8',
        });
        expect({ unit, state, status: verify.status, output: verify.stderr }).toMatchObject({ unit, status: 0 });
        const security = spawnSync('systemd-analyze', ['security', '--offline=true', '--threshold=20', file], {
          encoding: 'utf8',
        });
        expect({ unit, state, status: security.status, output: security.stdout.split('\n').at(-2) }).toMatchObject({
          unit,
          status: 0,
        });
      }
    }
  });
});
