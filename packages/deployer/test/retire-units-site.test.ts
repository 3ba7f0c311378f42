// biome-ignore-all lint/suspicious/noTemplateCurlyInString: fleet files write ${ENV_VAR} references literally
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { HostResult } from '@fleet/sdk/deploy';
import { hasTestHostDeps, type TestHost, type TestHosts } from '@fleet/test-utils/test-hosts';
import { beforeAll, describe, expect, test } from 'vitest';
import { auditFleet } from '../src/deploy/audit.ts';
import { deploy } from '../src/deploy/deploy.ts';
import { enabled, health, useWizardHost } from './_wizard-host.ts';

const SECRET = { ALPHA_KEY: 'alpha-key-5d1e8f3a9b2c7046' };
const ALPHA = 'fleet-wizard-alpha.service';
const BETA = 'fleet-wizard-beta.service';
const RETIRE = 'retire units the fleet file no longer has';

/** Every step and handler that did not end `ok`, as `phase step: status`. */
function notOk(hosts: readonly HostResult[]): string[] {
  return hosts.flatMap((host) =>
    host.phases.flatMap((phase) => [
      ...phase.steps
        .filter((step) => step.status !== 'ok')
        .map((step) => `${phase.phase} ${step.step}: ${step.status}`),
      ...phase.handlers.map((handler) => `${phase.phase} handler ${handler.handler}: ${handler.status}`),
    ]),
  );
}

describe.skipIf(!hasTestHostDeps())('a deploy retires the units of services the fleet file no longer has', () => {
  const wizardHost = useWizardHost();
  let run: TestHosts;
  let h1: TestHost;
  let script: string;
  beforeAll(() => {
    ({ run, h1, script } = wizardHost);
  });

  const fleetText = (withBeta: boolean) => {
    const wizard = (name: string, port: number) => [
      `  ${name}:`,
      '    host: h1',
      `    port: ${port}`,
      `    exec: ${JSON.stringify([process.execPath, script, name])}`,
      '    health: { interval: 2s, timeout: 1s }',
      '    env: { ALPHA_KEY: "${ALPHA_KEY}" }',
    ];
    return [
      'version: 1',
      'name: retire-units',
      'hosts:',
      `  h1: { address: ${h1.address}, ssh: {} }`,
      'wizards:',
      ...wizard('alpha', 8661),
      ...(withBeta ? wizard('beta', 8662) : []),
      'deploy:',
      `  node: ${process.execPath}`,
      '  gate: { successes: 2, timeout: 4s, interval: 250ms }',
      '',
    ].join('\n');
  };
  const ssh = () => ({ identity: run.clientKey.privateKeyPath, knownHostsFile: run.knownHostsPath });
  const deployIn = (mode: 'plan' | 'apply', text: string) =>
    deploy({ configText: text, env: SECRET, mode, ssh: ssh() });

  test('a wizard dropped from the file is stopped, disabled and its unit removed; the next apply changes nothing', async () => {
    const first = await deployIn('apply', fleetText(true));
    expect(first.failure).toBeUndefined();
    expect(await health(h1, 8662)).toBe('200 beta');

    const plan = await deployIn('plan', fleetText(false));
    expect(notOk(plan.run.hosts)).toContain(`release ${RETIRE}: changed`);
    expect(existsSync(join(h1.dirs.systemdSystem, BETA))).toBe(true);

    const removed = await deployIn('apply', fleetText(false));
    expect(removed.failure).toBeUndefined();
    expect(removed.run.status).toBe('changed');
    expect(notOk(removed.run.hosts)).toContain(`release ${RETIRE}: changed`);
    expect(existsSync(join(h1.dirs.systemdSystem, BETA))).toBe(false);
    expect(enabled(h1, BETA)).toBe(false);
    expect(await health(h1, 8662)).toBe('no answer');
    expect(existsSync(join(h1.dirs.systemdSystem, ALPHA))).toBe(true);
    expect(await health(h1, 8661)).toBe('200 alpha');
    const audit = await auditFleet({ configText: fleetText(false), env: SECRET, ssh: ssh() });
    expect(audit.problems.map((problem) => problem.message)).toEqual([]);

    const again = await deployIn('apply', fleetText(false));
    expect(again.run.status).toBe('ok');
    expect(notOk(again.run.hosts)).toEqual([]);
  }, 180_000);
});
