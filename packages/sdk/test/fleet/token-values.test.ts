// biome-ignore-all lint/suspicious/noTemplateCurlyInString: fleet files write ${ENV_VAR} references literally
import { describe, expect, test } from 'vitest';
import { fleetDashboard } from '../../src/fleet/fleet-dashboard.ts';
import { formatProblem } from '../../src/fleet/format-problem.ts';
import { parseFleet } from '../../src/fleet/parse-fleet.ts';
import { fleetTargets } from '../../src/fleet/targets.ts';
import { problemLines, yaml } from './_fleet.ts';

// A token goes into an `Authorization` header: one a header cannot carry is refused where the
// file gives it, never shown, as the clients refuse a --token of that shape.

const SECRET = 's3cr3t-part-one';

const fleetWithTokens = yaml(
  'version: 1', //                                                                   1
  'hosts:', //                                                                       2
  '  local: { address: 127.0.0.1 }', //                                              3
  'services:', //                                                                    4
  '  api: { kind: custom, host: local, port: 9000, token: "${API_TOKEN}" }', //      5: value at col 56
  '  dash: { kind: dashboard, host: local, port: 8652, token: "${API_TOKEN}" }', //  6: value at col 60
  'wizards:', //                                                                     7
  '  scout: { host: local, port: 8643, token: "${API_TOKEN}" }', //                  8: value at col 44
);

const at = (message: string) => [
  `fleet.yaml:5:56 error: services.api.token: ${message}; the token is not shown`,
  `fleet.yaml:6:60 error: services.dash.token: ${message}; the token is not shown`,
  `fleet.yaml:8:44 error: wizards.scout.token: ${message}; the token is not shown`,
];

describe('fleet file tokens a header cannot carry', () => {
  test('a token with a line break inside is refused at its line and column, without its value', () => {
    const lines = problemLines(fleetWithTokens, { env: { API_TOKEN: `${SECRET}\ns3cr3t-part-two` } });
    expect(lines).toEqual(at('it holds a control character (a line break, a tab...)'));
    expect(lines.join('\n')).not.toContain('s3cr3t');
  });

  test.each([
    ['a NUL', '\u0000'],
    ['a carriage return', '\r'],
    ['a tab', '\t'],
    ['a DEL', '\u007f'],
  ])('a token with %s inside is refused the same way', (_, char) => {
    const lines = problemLines(fleetWithTokens, { env: { API_TOKEN: `${SECRET}${char}x` } });
    expect(lines).toEqual(at('it holds a control character (a line break, a tab...)'));
  });

  test('a token with a character beyond Latin-1 is refused without its value', () => {
    const lines = problemLines(fleetWithTokens, { env: { API_TOKEN: `${SECRET}\u20ac` } });
    expect(lines).toEqual(at('it holds a character a header cannot carry (only Latin-1 characters, best plain ASCII)'));
    expect(lines.join('\n')).not.toContain('s3cr3t');
  });

  test('a token of whitespace alone is refused', () => {
    expect(problemLines(fleetWithTokens, { env: { API_TOKEN: ' \n ' } })).toEqual(at('it is only whitespace'));
  });

  test('a literal token written in the file is refused the same way', () => {
    const text = yaml(
      'version: 1',
      'hosts:',
      '  local: { address: 127.0.0.1 }',
      'services:',
      `  api: { kind: custom, host: local, port: 9000, token: "${SECRET}\\u20ac" }`,
    );
    const { errors } = parseFleet(text, { env: {} });
    expect(errors.map(formatProblem)).toEqual([
      'fleet.yaml:5:56 error: services.api.token: it holds a character a header cannot carry (only Latin-1 characters, best plain ASCII); the token is not shown',
    ]);
  });
});

describe('fleet file tokens with whitespace around them', () => {
  test('are loaded trimmed, as the clients send them: the monitor header, the dashboard token', () => {
    // A token read from a file with `$(cat token-file)` keeps no newline, but `API_TOKEN=$(<file)` in
    // some shells or an env file does.
    const { value: fleet, errors } = parseFleet(fleetWithTokens, { env: { API_TOKEN: ` ${SECRET}\n` } });
    expect(errors).toEqual([]);
    expect(fleet?.services.api?.token).toBe(SECRET);
    expect(fleet?.wizards.scout?.token).toBe(SECRET);
    expect(fleetDashboard(fleet!)?.token).toBe(SECRET);
    expect(fleetTargets(fleet!).map((target) => target.headers)).toEqual([
      { Authorization: `Bearer ${SECRET}` },
      { Authorization: `Bearer ${SECRET}` },
      { Authorization: `Bearer ${SECRET}` },
    ]);
  });

  test('fleetTargets trims the token of a fleet built in code too', () => {
    const { value: fleet } = parseFleet(fleetWithTokens, { env: { API_TOKEN: SECRET } });
    const api = fleet!.services.api!;
    const built = { ...fleet!, services: { api: { ...api, token: `${SECRET}\n` } }, wizards: {} };
    expect(fleetTargets(built)[0]?.headers).toEqual({ Authorization: `Bearer ${SECRET}` });
  });
});
