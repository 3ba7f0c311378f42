// biome-ignore-all lint/suspicious/noTemplateCurlyInString: fleet files write ${ENV_VAR} references literally
import { spawnSync } from 'node:child_process';
import { chmodSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DeployRunEvent } from '@fleet/sdk/deploy';
import { hasTestHostDeps, startTestHosts, type TestHost, type TestHosts } from '@fleet/test-utils/test-hosts';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { deploy } from '../src/deploy/deploy.ts';
import { tempDir } from './_fixtures.ts';

// A host that goes down after the new release is activated: its gate fails, and so does the
// rollback, which cannot connect. The result must not say the host was rolled back.

const WIZARD = `import { createServer } from 'node:http';
createServer((request, response) => response.end(process.argv[2])).listen(Number(process.env.PORT), process.env.HOST);
`;

describe.skipIf(!hasTestHostDeps())('a rollback that cannot reach its host', () => {
  let run: TestHosts;
  let h1: TestHost;
  let script: string;
  const hadUser = spawnSync('getent', ['passwd', 'fleet']).status === 0;

  beforeAll(async () => {
    run = await startTestHosts(1);
    h1 = run.hosts[0]!;
    const dir = tempDir('wizard');
    chmodSync(dir, 0o755);
    script = join(dir, 'wizard.mjs');
    writeFileSync(script, WIZARD, { mode: 0o644 });
  }, 120_000);
  afterAll(async () => {
    await run?.close();
    if (!hadUser) {
      spawnSync('userdel', ['fleet']);
      spawnSync('groupdel', ['fleet']);
    }
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
