import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
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

/** Limits what this machine sends to `host` to `rate` (a `tc` rate); returns the veth to clear again. */
function throttle(host: TestHost, rate: string): string {
  const veth = rootVeth(host);
  execFileSync('tc', ['qdisc', 'add', 'dev', veth, 'root', 'tbf', 'rate', rate, 'burst', '16kbit', 'latency', '400ms']);
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
    const veth = throttle(host, '64kbit');
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

  // ssh2 answers nothing but its keepalive reply for the connection being alive, and the request
  // goes out behind whatever ssh2 has already handed the socket: with the whole channel window
  // (2 MiB) queued ahead of it on a slow link, the reply came after the keepalive's limit and ssh2
  // ended the connection in the middle of the upload.
  test('a 1 MiB write through sudo over a 0.3 Mbit/s link keeps its connection alive and completes', async () => {
    // Keepalive gives up after 3 probes 2 s apart: 6 s, while 1 MiB at 0.3 Mbit/s takes about 28 s.
    const executor = sshTo(host, { username: deployer.name, keepaliveIntervalMs: 2_000, keepaliveCountMax: 3 });
    expect((await executor.run(['id', '-un'])).stdout).toBe('root\n');
    const dir = scratch(host);
    const content = randomBytes(1024 * 1024);
    const veth = throttle(host, '300kbit');
    try {
      await executor.writeFile(`${dir.path}/bundle.tar.gz`, content, { mode: 0o640 });
    } finally {
      execFileSync('tc', ['qdisc', 'del', 'dev', veth, 'root']);
    }
    expect(readFileSync(join(dir.local, 'bundle.tar.gz')).equals(content)).toBe(true);
    expect(lstatSync(join(dir.local, 'bundle.tar.gz'))).toMatchObject({ uid: 0, gid: 0, mode: 0o100640 });
    expect(readdirSync(dir.local)).toEqual(['bundle.tar.gz']);
    expect(executor.stats.connections).toBe(1);
  }, 90_000);
});
