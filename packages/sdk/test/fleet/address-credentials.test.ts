// biome-ignore-all lint/suspicious/noTemplateCurlyInString: fleet files write ${ENV_VAR} references literally
import { describe, expect, test } from 'vitest';
import { problemLines, yaml } from './_fleet.ts';

const PASSWORD = 's3cret-pass';

const fleetWithAddress = (address: string) =>
  yaml(
    'version: 1', //                     1
    'hosts:', //                         2
    `  ezra: { address: "${address}" }`, // 3: value at col 20
    'services:', //                      4
    '  bus: { kind: bus, host: ezra, port: 8650 }', // 5
  );

describe('host addresses with credentials', () => {
  test('are refused at their line, naming the field and the token instead, without the password', () => {
    const lines = problemLines(fleetWithAddress(`ops:${PASSWORD}@10.0.0.5`));
    expect(lines).toEqual([
      'fleet.yaml:3:20 error: hosts.ezra.address: must not include credentials (user:password@); give the service a token instead',
    ]);
    expect(lines.join('\n')).not.toContain(PASSWORD);
  });

  test('from the environment too, showing neither the value nor the password', () => {
    const lines = problemLines(fleetWithAddress('${EZRA_ADDRESS}'), {
      env: { EZRA_ADDRESS: `ops:${PASSWORD}@10.0.0.5` },
    });
    expect(lines).toEqual([
      'fleet.yaml:3:20 error: hosts.ezra.address: must not include credentials (user:password@); give the service a token instead',
    ]);
  });

  test('a bind address with credentials is refused the same way', () => {
    const text = yaml(
      'version: 1',
      'hosts:',
      `  ezra: { address: 10.0.0.5, bind: "ops:${PASSWORD}@0.0.0.0" }`,
      'services:',
      '  bus: { kind: bus, host: ezra, port: 8650 }',
    );
    expect(problemLines(text)).toEqual([
      'fleet.yaml:3:36 error: hosts.ezra.bind: must not include credentials (user:password@); give the service a token instead',
    ]);
  });
});
