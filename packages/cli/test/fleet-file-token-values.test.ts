// biome-ignore-all lint/suspicious/noTemplateCurlyInString: fleet files write ${ENV_VAR} references literally
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { closedPort } from '@fleet/test-utils/closed-port';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { runFleet, tempDir } from './_fleet.ts';

// `API_TOKEN="$(cat two-line-file)"`: a token with a line break is a problem of the fleet file at
// its line, for every kind of service, and never printed (fetch would quote it whole).

const dir = tempDir('fleet-token-values-');
let config: string;

beforeAll(async () => {
  const [busPort, dashboardPort] = [await closedPort(), await closedPort()];
  config = join(dir, 'fleet.yaml');
  writeFileSync(
    config,
    [
      'version: 1',
      'hosts:',
      '  local: { address: 127.0.0.1 }',
      'services:',
      `  dash: { kind: dashboard, host: local, port: ${dashboardPort} }`,
      `  bus: { kind: bus, host: local, port: ${busPort}, token: "\${FLEET_TEST_API_TOKEN}" }`,
      '',
    ].join('\n'),
  );
});
afterEach(() => {
  delete process.env.FLEET_TEST_API_TOKEN;
});

const PROBLEM = 'services.bus.token: it holds a control character (a line break, a tab...); the token is not shown';

describe('a fleet file token with a line break', () => {
  test('fleet doctor reports it at its line and exits 1, printing neither half', async () => {
    process.env.FLEET_TEST_API_TOKEN = 's3cr3t-part-one\ns3cr3t-part-two';
    const run = await runFleet(['doctor', '--config', config]);
    expect(run.code).toBe(1);
    expect(`${run.stdout}${run.stderr}`).toContain(`fleet.yaml:6:`);
    expect(`${run.stdout}${run.stderr}`).toContain(PROBLEM);
    expect(`${run.stdout}${run.stderr}`).not.toContain('s3cr3t');
  });

  test('fleet report lists it under the file problems, exits 0, printing neither half', async () => {
    process.env.FLEET_TEST_API_TOKEN = 's3cr3t-part-one\ns3cr3t-part-two';
    const run = await runFleet(['report', '--config', config, '--url', `http://127.0.0.1:${await closedPort()}`]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toContain(PROBLEM);
    expect(run.stdout).not.toContain('s3cr3t');
  });
});

describe('fleet report from a fleet file with ${ENV} addresses', () => {
  test('shows the references, not their values, in the errors of what it could not read', async () => {
    const [knowledgePort, dashboardPort] = [await closedPort(), await closedPort()];
    const refs = join(dir, 'refs.yaml');
    writeFileSync(
      refs,
      [
        'version: 1',
        'hosts:',
        '  vault: { address: "${FLEET_TEST_VAULT_ADDR}" }',
        'services:',
        `  dash: { kind: dashboard, host: vault, port: ${dashboardPort} }`,
        `  kn: { kind: knowledge, host: vault, port: ${knowledgePort} }`,
        '',
      ].join('\n'),
    );
    process.env.FLEET_TEST_VAULT_ADDR = 'localhost';
    try {
      const run = await runFleet(['report', '--config', refs]);
      expect(run).toMatchObject({ code: 0, stderr: '' });
      expect(run.stdout).toContain(`http://\${FLEET_TEST_VAULT_ADDR}:${knowledgePort}`);
      expect(run.stdout).toContain(`http://\${FLEET_TEST_VAULT_ADDR}:${dashboardPort}`);
      expect(run.stdout).not.toContain('localhost');
    } finally {
      delete process.env.FLEET_TEST_VAULT_ADDR;
    }
  });
});
