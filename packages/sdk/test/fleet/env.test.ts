// biome-ignore-all lint/suspicious/noTemplateCurlyInString: fleet files write ${ENV_VAR} references literally
import { describe, expect, test } from 'vitest';
import { formatProblem } from '../../src/fleet/format-problem.ts';
import { parseFleet } from '../../src/fleet/parse-fleet.ts';
import { fleetEnvironment, redactFleet } from '../../src/fleet/redact.ts';
import { fleetTargets } from '../../src/fleet/targets.ts';
import { problemLines, yaml } from './_fleet.ts';

const SECRET = 'tok-8f2c41d09e7b';
const KEY = 'sk-live-0123456789';

const FILE = yaml(
  'version: 1',
  'hosts:',
  '  ezra: { address: "${EZRA_ADDRESS}" }',
  'services:',
  '  bus:',
  '    kind: bus',
  '    host: ezra',
  '    port: 8650',
  '    token: ${FLEET_BUS_TOKEN}',
  'wizards:',
  '  allegro:',
  '    host: ezra',
  '    port: 8643',
  '    env:',
  '      OPENAI_API_KEY: ${OPENAI_API_KEY}',
  '      GREETING: "costs $${PRICE} at ${EZRA_ADDRESS}"',
);
const ENV = { EZRA_ADDRESS: '10.0.0.5', FLEET_BUS_TOKEN: SECRET, OPENAI_API_KEY: KEY };

describe('environment references', () => {
  test('are resolved anywhere in a string; $${...} stays literal', () => {
    const { value, errors, warnings } = parseFleet(FILE, { env: ENV });
    expect([...errors, ...warnings]).toEqual([]);
    expect(value?.hosts.ezra?.address).toBe('10.0.0.5');
    expect(value?.services.bus?.token).toBe(SECRET);
    expect(value?.wizards.allegro?.env).toEqual({ OPENAI_API_KEY: KEY, GREETING: 'costs ${PRICE} at 10.0.0.5' });
    expect(fleetTargets(value!)[0]?.headers).toEqual({ Authorization: `Bearer ${SECRET}` });
  });

  test('an unset or empty variable is an error naming the variable, once per value', () => {
    expect(problemLines(FILE, { env: { EZRA_ADDRESS: '10.0.0.5', FLEET_BUS_TOKEN: '' } })).toEqual([
      'fleet.yaml:9:12 error: services.bus.token: environment variable FLEET_BUS_TOKEN is empty',
      'fleet.yaml:15:23 error: wizards.allegro.env.OPENAI_API_KEY: environment variable OPENAI_API_KEY is not set',
    ]);
    const text = yaml(
      'version: 1',
      'hosts:',
      '  a: { address: "${A_HOST}.${A_DOMAIN}" }',
      '  b: { address: "${not-a-name}" }',
    );
    expect(problemLines(text)).toEqual([
      'fleet.yaml:3:17 error: hosts.a.address: environment variables A_HOST, A_DOMAIN are not set',
      'fleet.yaml:4:17 error: hosts.b.address: "${not-a-name}" is not an environment reference: write ${NAME} with letters, digits and _',
      'fleet.yaml:3:3 warning: hosts.a: host "a" runs no service or wizard',
      'fleet.yaml:4:3 warning: hosts.b: host "b" runs no service or wizard',
    ]);
  });

  test('a value from the environment never appears in a problem, even when it is the problem', () => {
    const text = yaml(
      'version: 1',
      'hosts:',
      '  ezra: { address: "${EZRA_ADDRESS}" }',
      '  mira: { address: 10.0.0.7 }',
      'services:',
      '  bus: { kind: bus, host: "${BUS_HOST}", port: 8650, token: "${FLEET_BUS_TOKEN}" }',
      '  kb: { kind: "${KB_KIND}", host: mira, port: 8651, token: "${FLEET_BUS_TOKEN}" }',
    );
    const env = { EZRA_ADDRESS: `bad_${SECRET}`, BUS_HOST: `h-${SECRET}`, KB_KIND: KEY, FLEET_BUS_TOKEN: SECRET };
    const { errors, warnings } = parseFleet(text, { env });
    const lines = [...errors, ...warnings].map(formatProblem);
    expect(lines).toEqual([
      'fleet.yaml:3:20 error: hosts.ezra.address: must be an IPv4 address, an IPv6 address without brackets, or a DNS name',
      'fleet.yaml:6:27 error: services.bus.host: unknown host "${BUS_HOST}" (from the environment) (hosts: ezra, mira)',
      'fleet.yaml:7:15 error: services.kb.kind: "${KB_KIND}" (from the environment) is not one of: bus, knowledge, dashboard, deploy-hook, ollama, gitea, conduit, custom',
      'fleet.yaml:3:3 warning: hosts.ezra: host "ezra" runs no service or wizard',
    ]);
    for (const line of lines) {
      expect(line).not.toContain(SECRET);
      expect(line).not.toContain(KEY);
    }
  });

  test('a secret with quotes or backslashes stays hidden where a message quotes it as JSON', () => {
    const text = yaml(
      'version: 1',
      'hosts: { ezra: { address: 10.0.0.5 } }',
      'services:',
      '  api:',
      '    kind: custom',
      '    host: ezra',
      '    port: 9000',
      '    health: { conditions: ["[BODY].${TOK} === 1"] }',
    );
    for (const secret of ['s3cr3t-"quoted"-value', 'back\\slash\\secret']) {
      const lines = problemLines(text, { env: { TOK: secret } });
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        /^fleet\.yaml:8:28 error: services\.api\.health\.conditions\.0: invalid condition "\[BODY\]\.\*\*\* === 1"/,
      );
      expect(lines[0]).not.toContain(JSON.stringify(secret).slice(1, -1));
    }
  });

  test('redactFleet shows references instead of values and masks secrets written in the file', () => {
    const { value } = parseFleet(FILE, { env: ENV });
    const redacted = redactFleet(value!);
    expect(redacted.hosts.ezra?.address).toBe('${EZRA_ADDRESS}');
    expect(redacted.services.bus?.token).toBe('${FLEET_BUS_TOKEN}');
    expect(redacted.wizards.allegro?.env).toEqual({
      OPENAI_API_KEY: '${OPENAI_API_KEY}',
      GREETING: 'costs $${PRICE} at ${EZRA_ADDRESS}',
    });
    const printed = JSON.stringify(redacted);
    expect(printed).not.toContain(SECRET);
    expect(printed).not.toContain(KEY);
    // The loaded fleet itself is untouched.
    expect(value?.services.bus?.token).toBe(SECRET);
  });

  test('a literal secret loads with a warning and is masked when redacted', () => {
    const text = yaml(
      'version: 1',
      'hosts: { ezra: { address: 10.0.0.5 } }',
      'services:',
      `  bus: { kind: bus, host: ezra, port: 8650, token: ${SECRET} }`,
      'wizards:',
      `  allegro: { host: ezra, port: 8643, env: { GITEA_TOKEN: ${KEY}, MODE: fast } }`,
    );
    const { value, warnings } = parseFleet(text, { env: {} });
    expect(warnings.map(formatProblem)).toEqual([
      'fleet.yaml:4:52 warning: services.bus.token: the token is written in the file; reference an environment variable instead, e.g. ${FLEET_BUS_TOKEN}',
      'fleet.yaml:6:58 warning: wizards.allegro.env.GITEA_TOKEN: GITEA_TOKEN looks like a secret written in the file; reference an environment variable instead, e.g. ${GITEA_TOKEN}',
    ]);
    const redacted = redactFleet(value!);
    expect(redacted.services.bus?.token).toBe('***');
    expect(redacted.wizards.allegro?.env).toEqual({ GITEA_TOKEN: '***', MODE: 'fast' });
    expect(JSON.stringify(redacted)).not.toContain(SECRET);
  });

  test('redactFleet masks tokens of a fleet that was not loaded from a file', () => {
    const { value } = parseFleet(FILE, { env: ENV });
    const copy = structuredClone(value!);
    expect(redactFleet(copy).services.bus?.token).toBe('***');
    expect(redactFleet(copy).wizards.allegro?.env.OPENAI_API_KEY).toBe('***');
  });
});

test('fleetEnvironment lists the variables the file referenced with the values it was loaded with', () => {
  const text = [
    'version: 1',
    'hosts:',
    '  a: { address: 10.0.0.5 }',
    'services:',
    '  bus: { kind: bus, host: a, port: 8650, token: "${BUS_TOKEN}" }',
    'wizards:',
    '  w: { host: a, port: 8661, env: { URL: "http://${BUS_HOST}:8650", PLAIN: x } }',
  ].join('\n');
  const { value } = parseFleet(text, { env: { BUS_TOKEN: 'tok-123', BUS_HOST: 'busy', OTHER: 'unused' } });
  expect(fleetEnvironment(value!)).toEqual({ BUS_TOKEN: 'tok-123', BUS_HOST: 'busy' });
});
