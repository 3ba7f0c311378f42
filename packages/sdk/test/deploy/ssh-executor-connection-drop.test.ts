import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { hasSystemCommand } from '@fleet/test-utils/system-deps';
import { hasTestHostDeps, startTestHosts, type TestHost, type TestHosts } from '@fleet/test-utils/test-hosts';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { isDeployError } from '../../src/deploy/errors.ts';
import type { SshExecutor } from '../../src/deploy/ssh-executor.ts';
import { addDeployUser, type DeployUser } from './_deploy-users.ts';
import { scratch, sshExecutors } from './_ssh.ts';
import { startTcpProxy, type TcpProxy } from './_tcp-proxy.ts';

/** What `promise` rejected with (an Error saying it succeeded, if it did). */
const settle = (promise: Promise<unknown>): Promise<Error> =>
  promise.then(
    () => new Error('it succeeded'),
    (caught: unknown) => (caught instanceof Error ? caught : new Error(String(caught))),
  );

/** Waits until `condition()` holds; the test's timeout bounds it. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await sleep(20);
}

/** Whether a process whose command line contains `token` runs on this machine (the test hosts share its pids). */
const isRunning = (token: string): boolean => spawnSync('pgrep', ['-f', token]).status === 0;

// The hosts share this machine's /etc/passwd, /home and /etc/sudoers.d.
const canRun = hasTestHostDeps() && hasSystemCommand('sudo', 'sudo') && hasSystemCommand('useradd', 'passwd');

describe.skipIf(!canRun)('SshExecutor: the connection drops mid-call', () => {
  let run: TestHosts;
  let host: TestHost;
  let deployer: DeployUser;
  const proxies: TcpProxy[] = [];
  const sshTo = sshExecutors(() => run);

  beforeAll(async () => {
    deployer = addDeployUser('nopasswd');
    // After the user: the hosts may copy /etc/shadow when they start.
    run = await startTestHosts(1);
    [host] = run.hosts as [TestHost];
    run.authorize(deployer.name);
  });
  afterEach(async () => {
    await Promise.all(proxies.splice(0).map((proxy) => proxy.close()));
  });
  afterAll(async () => {
    await run?.close();
    deployer?.remove();
  });

  /** An executor that reaches the host through a proxy the test can cut. */
  async function throughProxy(username: string = host.username): Promise<{ executor: SshExecutor; proxy: TcpProxy }> {
    const proxy = await startTcpProxy(host.address, host.port);
    proxies.push(proxy);
    const knownHostsFile = join(mkdtempSync(join(tmpdir(), 'fleet-kh-')), 'known_hosts');
    writeFileSync(knownHostsFile, `[127.0.0.1]:${proxy.port} ${host.hostKey}\n`);
    const executor = sshTo(host, { address: '127.0.0.1', port: proxy.port, knownHostsFile, username });
    return { executor, proxy };
  }

  test('cut during an SFTP write: writeFile rejects as lost, and the next write on the executor works', async () => {
    const { executor, proxy } = await throughProxy();
    await executor.run(['true']);
    const dir = scratch(host);
    const path = `${dir.path}/big.bin`;
    proxy.cutAfterClientBytes(1 << 20);
    const error = await settle(executor.writeFile(path, Buffer.alloc(64 << 20, 7)));
    expect(isDeployError(error) && error.code).toBe('executor_failed');
    expect(error.message).toMatch(/SSH to .*: the connection was lost/);
    await executor.writeFile(path, 'small\n');
    expect(readFileSync(join(dir.local, 'big.bin'), 'utf8')).toBe('small\n');
    // The partial temp file of the cut write is removed once the executor is connected again.
    expect(readdirSync(dir.local)).toEqual(['big.bin']);
    expect(executor.stats.connections).toBe(2);
  });

  test('cut during a write through sudo: the file keeps its old content, never a truncated new one', async () => {
    const { executor, proxy } = await throughProxy(deployer.name);
    expect(executor.sudo).toBe(true);
    const dir = scratch(host, 'etcFleet');
    const path = `${dir.path}/big.bin`;
    await executor.writeFile(path, 'old\n');
    proxy.cutAfterClientBytes(1 << 20);
    const error = await settle(executor.writeFile(path, Buffer.alloc(64 << 20, 7)));
    expect(error.message).toMatch(/SSH to .*: the connection was lost/);
    // The host's side of the write ends on its own once sshd closes its stdin: one more round trip
    // on a new connection, and a check that nothing of it runs any more.
    expect((await executor.run(['echo', 'ok'])).stdout).toBe('ok\n');
    await until(() => !isRunning(`${dir.path}/big.bin`));
    expect(readFileSync(join(dir.local, 'big.bin'), 'utf8')).toBe('old\n');
    expect(readdirSync(dir.local)).toEqual(['big.bin']);
  });

  test('the SFTP session ends while the connection stays: a later write opens a new session', async () => {
    const executor = sshTo(host);
    const dir = scratch(host);
    await executor.writeFile(`${dir.path}/first`, '1\n');
    const sessions = spawnSync('ip', ['netns', 'pids', host.name], { encoding: 'utf8' })
      .stdout.split('\n')
      .filter((pid) => pid && readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('sshd: root@internal-sftp'));
    expect(sessions).toHaveLength(1);
    process.kill(Number(sessions[0]), 'SIGKILL');
    // A write sent before the close reaches the executor fails, saying so; none waits for ever.
    for (;;) {
      const error = await settle(executor.writeFile(`${dir.path}/second`, '2\n'));
      if (error.message === 'it succeeded') break;
      expect(error.message).toMatch(/SSH to .*: the SFTP session closed/);
    }
    expect(readFileSync(join(dir.local, 'second'), 'utf8')).toBe('2\n');
    expect(executor.stats.connections).toBe(1);
  });

  test('cut during a command: the run fails saying it may still run, and the next connect stops it first', async () => {
    const { executor, proxy } = await throughProxy();
    const dir = scratch(host);
    const token = `fleet-drop-${randomBytes(6).toString('hex')}`;
    const command = `touch ${dir.path}/started; sleep 3; echo ran > ${dir.path}/ran # ${token}`;
    const running = settle(executor.run(command, { timeoutMs: 600_000 }));
    await until(() => existsSync(join(dir.local, 'started')));
    proxy.cut();
    const error = await running;
    expect(isDeployError(error) && error.code).toBe('executor_failed');
    expect(error.message).toMatch(/the connection was lost .*the command may still have been running on the host/);
    expect((await executor.run(['echo', 'ok'])).stdout).toBe('ok\n');
    // Its processes end, stopped or done; done, they would have written the file first.
    await until(() => !isRunning(token));
    expect(existsSync(join(dir.local, 'ran'))).toBe(false);
  });

  test('cut during a command, then closed: close() stops the command on the host', async () => {
    const { executor, proxy } = await throughProxy();
    const dir = scratch(host);
    const token = `fleet-drop-${randomBytes(6).toString('hex')}`;
    const command = `touch ${dir.path}/started; sleep 3; echo ran > ${dir.path}/ran # ${token}`;
    const running = settle(executor.run(command, { timeoutMs: 600_000 }));
    await until(() => existsSync(join(dir.local, 'started')));
    proxy.cut();
    expect((await running).message).toMatch(/may still have been running/);
    await executor.close();
    await until(() => !isRunning(token));
    expect(existsSync(join(dir.local, 'ran'))).toBe(false);
  });
});
