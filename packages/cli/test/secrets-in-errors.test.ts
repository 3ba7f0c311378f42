import { type RunningDashboardServer, startDashboardServer } from '@fleet/dashboard';
import { parseFleet } from '@fleet/sdk/fleet';
import { type CliRun, runCli } from '@fleet/test-utils/run-cli';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { FLEET_BIN } from './_spawn-fleet.ts';

// These run the BUILT bin (`npm test` builds first), as a user would: a token or a password given
// by mistake in the wrong shape is named by where it came from, never printed.

const cleanEnv = {
  FLEET_DASHBOARD_URL: '',
  FLEET_DASHBOARD_TOKEN: '',
  FLEET_BUS_URL: 'http://127.0.0.1:8650',
  FLEET_BUS_TOKEN: '',
  FLEET_KNOWLEDGE_TOKEN: '',
};
let dashboard: RunningDashboardServer;

beforeAll(async () => {
  const { value: fleet, errors } = parseFleet('version: 1\nhosts:\n  local: { address: 127.0.0.1 }\n', { env: {} });
  expect(errors).toEqual([]);
  dashboard = await startDashboardServer({ fleet: fleet!, port: 0, db: ':memory:', probe: false, tokens: ['SECRET'] });
});
afterAll(async () => {
  await dashboard.close();
});

function fleet(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return runCli(FLEET_BIN, args, { ...cleanEnv, ...env });
}

const CONTROL = 'invalid token: it holds a control character (a line break, a tab...); the token is not shown';

describe('fleet with a token or URL that cannot be sent', () => {
  test('a --token with a line break exits 2 naming --token, without the token', async () => {
    const result = await fleet(['status', '--url', dashboard.url, '--token', 'SECRET1\nX']);
    expect(result).toEqual({ code: 2, stdout: '', stderr: `fleet: --token: ${CONTROL}\n` });
  });

  test('FLEET_DASHBOARD_TOKEN (fleet report) and FLEET_BUS_TOKEN (fleet agent) are named the same way', async () => {
    const report = await fleet(['report', '--url', dashboard.url], { FLEET_DASHBOARD_TOKEN: 'SECRET1\nX' });
    expect(report).toEqual({ code: 2, stdout: '', stderr: `fleet: $FLEET_DASHBOARD_TOKEN: ${CONTROL}\n` });
    const agent = await fleet(['agent', '--name', 'w', '--port', '0'], { FLEET_BUS_TOKEN: 'SECRET1\nX' });
    expect(agent).toEqual({ code: 2, stdout: '', stderr: `fleet: $FLEET_BUS_TOKEN: ${CONTROL}\n` });
  });

  test.each([
    ['http://admin:hun#ter2@example.com', 'invalid base URL: http://***@example.com'],
    ['http://admin:hun/ter2@example.com', 'invalid base URL: http://***@example.com'],
    ['http://admin:hun?ter2@example.com', 'invalid base URL: http://***@example.com'],
  ])('a --url whose password holds a raw #, / or ? is not shown (%s)', async (url, line) => {
    expect(await fleet(['status', '--url', url])).toEqual({ code: 2, stdout: '', stderr: `fleet: --url: ${line}\n` });
  });

  test('a dashboard link with ?token= as --url exits 2 without the token, saying to use --token', async () => {
    const result = await fleet(['status', '--url', `${dashboard.url}/?token=SECRET`]);
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'fleet: --url: invalid base URL: a query (?...) or fragment (#...) is not allowed; pass a token instead\n',
    });
  });
});
