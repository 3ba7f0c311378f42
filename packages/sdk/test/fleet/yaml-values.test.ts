import { describe, expect, test } from 'vitest';
import { parseFleet } from '../../src/fleet/parse-fleet.ts';
import { problemLines, yaml } from './_fleet.ts';

const HOSTS = ['version: 1', 'hosts:', '  ezra: { address: 10.0.0.5 }'];

describe('YAML values and keys', () => {
  test('env values YAML reads as numbers or booleans keep their text as written', () => {
    const text = yaml(
      ...HOSTS,
      'wizards:',
      '  allegro:',
      '    host: ezra',
      '    port: 9001',
      '    env:',
      '      PYTHON_VERSION: 3.10',
      '      UMASK: 0027',
      '      ACCOUNT: 12345678901234567890',
      '      HEX: 0x1F',
      '      FLAG: TRUE',
      '      PORT: 8643',
      '      QUOTED: "3.10"',
      'services:',
      '  api: { kind: custom, host: ezra, port: 9000, env: { RATIO: 1.50, ON: yes, OFF: false } }',
    );
    const { value, errors, warnings } = parseFleet(text, { env: {} });
    expect([...errors, ...warnings]).toEqual([]);
    expect(value?.wizards.allegro?.env).toEqual({
      PYTHON_VERSION: '3.10',
      UMASK: '0027',
      ACCOUNT: '12345678901234567890',
      HEX: '0x1F',
      FLAG: 'TRUE',
      PORT: '8643',
      QUOTED: '3.10',
    });
    expect(value?.services.api?.env).toEqual({ RATIO: '1.50', ON: 'yes', OFF: 'false' });
  });

  test('a key YAML reads as a number, boolean or null is an error at the key asking for quotes', () => {
    const text = yaml(
      ...HOSTS,
      'wizards:',
      '  007: { host: ezra, port: 9002 }',
      'services:',
      '  true: { kind: bus, host: ezra, port: 8650 }',
      '  "true": { kind: knowledge, host: ezra, port: 8651 }',
      '  ~: { kind: dashboard, host: ezra, port: 8652 }',
    );
    expect(problemLines(text)).toEqual([
      'fleet.yaml:5:3 error: wizards.007: YAML reads the key 007 as a number, not as a name: quote it ("007")',
      'fleet.yaml:7:3 error: services.true: YAML reads the key true as a boolean, not as a name: quote it ("true")',
      'fleet.yaml:9:3 error: services.~: YAML reads the key ~ as null, not as a name: quote it ("~")',
    ]);
    expect(parseFleet(text, { env: {} }).value).toBeUndefined();
  });

  test('an anchored env number stays a number where it is aliased; an alias in env takes the text as written', () => {
    const text = yaml(
      ...HOSTS,
      'wizards:',
      '  allegro:',
      '    host: ezra',
      '    env:',
      '      PORT: &p 9001',
      '      A: &v 3.10',
      '      B: *v',
      '    port: *p',
    );
    const { value, errors } = parseFleet(text, { env: {} });
    expect(errors).toEqual([]);
    expect(value?.wizards.allegro?.port).toBe(9001);
    expect(value?.wizards.allegro?.env).toEqual({ PORT: '9001', A: '3.10', B: '3.10' });
  });

  test('a number key that reads back as written is a name, as before; the same name as text twice is a duplicate', () => {
    const ok = yaml(...HOSTS, 'wizards:', '  2024: { host: ezra, port: 9002 }');
    const { value, errors } = parseFleet(ok, { env: {} });
    expect(errors).toEqual([]);
    expect(Object.keys(value?.wizards ?? {})).toEqual(['2024']);
    const twice = yaml(
      ...HOSTS,
      'wizards:',
      '  2024: { host: ezra, port: 9002 }',
      '  "2024": { host: ezra, port: 9003 }',
    );
    expect(problemLines(twice)).toEqual([
      'fleet.yaml:6:3 error: wizards.2024: duplicate key "2024": a key may appear only once in a mapping',
    ]);
  });

  test('a __proto__ name is an error at its key, not silently dropped', () => {
    const text = yaml(
      ...HOSTS,
      'services:',
      '  bus: { kind: bus, host: ezra, port: 8650 }',
      '  __proto__: { kind: knowledge, host: ezra, port: 8651 }',
      'wizards:',
      '  __proto__: { host: ezra, port: 9001 }',
    );
    expect(problemLines(text)).toEqual([
      'fleet.yaml:6:3 error: services.__proto__: "__proto__" cannot be used as a name',
      'fleet.yaml:8:3 error: wizards.__proto__: "__proto__" cannot be used as a name',
    ]);
  });
});
