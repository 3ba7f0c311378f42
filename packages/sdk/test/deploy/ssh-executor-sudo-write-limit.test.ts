import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { hasSystemCommand } from '@fleet/test-utils/system-deps';
import { hasTestHostDeps, startTestHosts, type TestHost, type TestHosts } from '@fleet/test-utils/test-hosts';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { isDeployError } from '../../src/deploy/errors.ts';
import { addDeployUser, type DeployUser } from './_deploy-users.ts';
import { scratch, settle, sshExecutors } from './_ssh.ts';

const canRun =
  hasTestHostDeps() &&
  hasSystemCommand('sudo', 'sudo') &&
  hasSystemCommand('useradd', 'passwd') &&
  hasSystemCommand('tc', 'iproute2');

/** The veth end on this machine's side of `host`'s link: what it sends to the host leaves through it. */
function rootVeth(host: TestHost): string {
  const out = execFileSync('ip', ['-o', 'addr', 'show', 'to', host.gatewayAddress], { encoding: 'utf8' });
  const veth = /^\d+: ([^@:\s]+)/.exec(out)?.[1];
  if (veth === undefined) throw new Error(`no link has ${host.gatewayAddress}: ${out}`);
  return veth;
}

// A sudo write streams the file through one command under the host's `timeout`: that limit has to
// grow with the file (a fixed 120 s cut off every upload slower than that), and a write it stops
// has to say it timed out (its output is only sudo's warnings, such as "unable to resolve host").
describe.skipIf(!canRun)('SshExecutor sudo write over a slow link', () => {
  let run: TestHosts;
  let host: TestHost;
  let deployer: DeployUser;
  const sshTo = sshExecutors(() => run);

  beforeAll(async () => {
    deployer = addDeployUser('nopasswd');
    run = await startTestHosts(1);
    [host] = run.hosts as [TestHost];
    run.authorize(deployer.name);
  }, 60_000);
  afterAll(async () => {
    await run?.close();
    deployer?.remove();
  });

  test('a write past its size-scaled host limit fails saying it timed out, and leaves nothing behind', async () => {
    // The limit: timeoutMs (1 s) plus 64 KiB at 16 KiB/s (4 s) = 5 s; at 64 kbit/s the upload takes 8 s.
    const executor = sshTo(host, { username: deployer.name, timeoutMs: 1_000 });
    expect((await executor.run(['id', '-un'])).stdout).toBe('root\n');
    const dir = scratch(host);
    const veth = rootVeth(host);
    execFileSync('tc', [
      'qdisc',
      'add',
      'dev',
      veth,
      'root',
      'tbf',
      'rate',
      '64kbit',
      'burst',
      '16kbit',
      'latency',
      '400ms',
    ]);
    try {
      const started = performance.now();
      const error = await settle(executor.writeFile(`${dir.path}/bundle.tar.gz`, randomBytes(64 * 1024)));
      expect(isDeployError(error) && error.code).toBe('executor_failed');
      expect(error.message).toBe(
        `Could not write ${dir.path}/bundle.tar.gz on ${host.address}: timed out after 5 s, ` +
          'the limit for 65536 bytes through sudo (timeoutMs plus the size at 16 KiB/s)',
      );
      expect(performance.now() - started).toBeLessThan(7_500);
      expect(readdirSync(dir.local)).toEqual([]);
    } finally {
      execFileSync('tc', ['qdisc', 'del', 'dev', veth, 'root']);
    }
  }, 60_000);
});
