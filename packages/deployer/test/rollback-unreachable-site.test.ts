import { readlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { DeployRunEvent } from '@fleet/sdk/deploy';
import { hasTestHostDeps, type TestHost, type TestHosts } from '@fleet/test-utils/test-hosts';
import { beforeAll, describe, expect, test } from 'vitest';
import { deploy } from '../src/deploy/deploy.ts';
import { useWizardHost } from './_wizard-host.ts';

// A host that goes down after the new release is activated: its gate fails, and so does the
// rollback, which cannot connect. The result must not say the host was rolled back.

describe.skipIf(!hasTestHostDeps())('a rollback that cannot reach its host', () => {
  const wizardHost = useWizardHost();
  let run: TestHosts;
  let h1: TestHost;
  let script: string;
  beforeAll(() => {
    ({ run, h1, script } = wizardHost);
  });

  const fleetText = (version: string) =>
    [
      'version: 1',
      'name: rollback-unreachable',
      'hosts:',
      `  h1: { address: ${h1.address}, ssh: {} }`,
      'wizards:',
      '  alpha:',
      '    host: h1',
      '    port: 8661',
      `    exec: ${JSON.stringify([process.execPath, script, version])}`,
      '    health: { interval: 2s, timeout: 1s }',
      'deploy:',
      `  node: ${process.execPath}`,
      '  gate: { successes: 2, timeout: 4s, interval: 250ms }',
      '',
    ].join('\n');

  test('is reported as failed, not as rolled back', async () => {
    const ssh = { identity: run.clientKey.privateKeyPath, knownHostsFile: run.knownHostsPath };
    const first = await deploy({ configText: fleetText('v1'), mode: 'apply', ssh });
    expect(first.run.status).not.toBe('failed');
    const events: DeployRunEvent[] = [];
    const second = await deploy({
      configText: fleetText('v2'),
      mode: 'apply',
      ssh,
      onEvent: (event) => {
        events.push(event);
        // The host crashes (sshd and the services with it) once the new release is current.
        if (event.type === 'step_finished' && event.result.step.startsWith('activate release')) h1.kill('SIGKILL');
      },
    });
    expect(second.run.status).toBe('failed');
    expect(events.find((event) => event.type === 'rollback_finished')).toMatchObject({ ok: false });
    // Before: ['h1'], and the command line printed "(rolled back: h1)".
    expect(second.rolledBack).toEqual([]);
    await h1.restart();
    expect(readlinkSync(join(h1.dirs.optFleet, 'app/current'))).toContain('releases/');
  }, 120_000);
});
