// biome-ignore-all lint/suspicious/noTemplateCurlyInString: fleet files write ${ENV_VAR} references literally
import { describe, expect, test } from 'vitest';
import { fleetDashboard } from '../../src/fleet/fleet-dashboard.ts';
import { parseFleet } from '../../src/fleet/parse-fleet.ts';
import type { Fleet } from '../../src/fleet/schema.ts';
import { yaml } from './_fleet.ts';

function load(...lines: string[]): Fleet {
  const { value, errors } = parseFleet(yaml(...lines), { env: { DASH_TOKEN: 'dash-secret' } });
  expect(errors).toEqual([]);
  return value!;
}

const HOSTS = ['version: 1', 'hosts:', '  ezra: { address: 10.0.0.5 }', '  mira: { address: "fd00::7" }'];

describe('fleetDashboard', () => {
  test("is the file's first dashboard service: its URL from scheme, address and port, and its token", () => {
    const fleet = load(
      ...HOSTS,
      'services:',
      '  bus: { kind: bus, host: ezra, port: 8650 }',
      '  ops: { kind: dashboard, host: mira, port: 8652, scheme: https, token: "${DASH_TOKEN}" }',
      '  spare: { kind: dashboard, host: ezra, port: 8653 }',
      'wizards:',
      '  scout: { host: ezra, port: 8643 }',
    );
    expect(fleetDashboard(fleet)).toEqual({ name: 'ops', url: 'https://[fd00::7]:8652', token: 'dash-secret' });
  });

  test('a dashboard without a token has no token key', () => {
    const fleet = load(...HOSTS, 'services:', '  dash: { kind: dashboard, host: ezra, port: 8652 }');
    expect(fleetDashboard(fleet)).toStrictEqual({ name: 'dash', url: 'http://10.0.0.5:8652' });
  });

  test('a fleet without a dashboard service has none, whatever its other services and wizards', () => {
    const fleet = load(
      ...HOSTS,
      'services:',
      '  bus: { kind: bus, host: ezra, port: 8650, token: "${DASH_TOKEN}" }',
      'wizards:',
      '  scout: { host: mira, port: 8643 }',
    );
    expect(fleetDashboard(fleet)).toBeUndefined();
  });
});
