import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasSystemCommand } from '@fleet/test-utils/system-deps';
import { hasTestHostDeps, startTestHosts, type TestHost, type TestHosts } from '@fleet/test-utils/test-hosts';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { isDeployError } from '../../src/deploy/errors.ts';
import type { RunOptions, RunResult } from '../../src/deploy/executor.ts';
import type { SshExecutor } from '../../src/deploy/ssh-executor.ts';
import type { SshExecutorOptions } from '../../src/deploy/ssh-executor-options.ts';
import { addDeployUser, type DeployUser } from './_deploy-users.ts';
import { scratch, settle, sshExecutors, until } from './_ssh.ts';
import { startTcpProxy, type TcpProxy } from './_tcp-proxy.ts';

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
  async function throughProxy(
    username: string = host.username,
    options: Partial<SshExecutorOptions> = {},
  ): Promise<{ executor: SshExecutor; proxy: TcpProxy }> {
    const proxy = await startTcpProxy(host.address, host.port);
    proxies.push(proxy);
    const knownHostsFile = join(mkdtempSync(join(tmpdir(), 'fleet-kh-')), 'known_hosts');
    writeFileSync(knownHostsFile, `[127.0.0.1]:${proxy.port} ${host.hostKey}\n`);
    const executor = sshTo(host, { address: '127.0.0.1', port: proxy.port, knownHostsFile, username, ...options });
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

  /**
   * Runs a command that would write `ran` in its scratch directory after 3 s, and cuts the
   * connection once it has started; returns the directory, the command's token and the rejection.
   */
  async function cutSleeper(executor: SshExecutor, proxy: TcpProxy) {
    const dir = scratch(host);
    const token = `fleet-drop-${randomBytes(6).toString('hex')}`;
    const command = `touch ${dir.path}/started; sleep 3; echo ran > ${dir.path}/ran # ${token}`;
    const running = settle(executor.run(command, { timeoutMs: 600_000 }));
    await until(() => existsSync(join(dir.local, 'started')));
    proxy.cut();
    return { dir, token, error: await running };
  }

  test('cut during a command: the run fails saying it may still run, and the next connect stops it first', async () => {
    const { executor, proxy } = await throughProxy();
    const { dir, token, error } = await cutSleeper(executor, proxy);
    expect(isDeployError(error) && error.code).toBe('executor_failed');
    expect(error.message).toMatch(/the connection was lost .*the command may still have been running on the host/);
    expect((await executor.run(['echo', 'ok'])).stdout).toBe('ok\n');
    // Its processes end, stopped or done; done, they would have written the file first.
    await until(() => !isRunning(token));
    expect(existsSync(join(dir.local, 'ran'))).toBe(false);
  });

  test('cut during a command, then closed: close() stops the command on the host', async () => {
    const { executor, proxy } = await throughProxy();
    const { dir, token, error } = await cutSleeper(executor, proxy);
    expect(error.message).toMatch(/may still have been running/);
    await executor.close();
    await until(() => !isRunning(token));
    expect(existsSync(join(dir.local, 'ran'))).toBe(false);
  });

  /**
   * Runs `body` on `executor` (its output to /dev/null: a write to the pipe sshd closed would end
   * it), cuts the connection once it runs, and returns its process group and the run's rejection.
   */
  async function cutOff(
    executor: SshExecutor,
    proxy: TcpProxy,
    body: string,
    options: RunOptions = {},
  ): Promise<{ group: string; error: Error }> {
    const dir = mkdtempSync(join(tmpdir(), 'fleet-cut-'));
    chmodSync(dir, 0o777);
    const command = `exec >/dev/null 2>&1; ps -o pgid= -p $$ > ${dir}/pgid.tmp && mv ${dir}/pgid.tmp ${dir}/pgid; ${body}`;
    const running = settle(executor.run(command, { timeoutMs: 600_000, ...options }));
    await until(() => existsSync(join(dir, 'pgid')));
    const group = readFileSync(join(dir, 'pgid'), 'utf8').trim();
    rmSync(dir, { recursive: true });
    proxy.cut();
    return { group, error: await running };
  }

  /** What is left of process group `group` (zombies aside), as the host's `ps` sees it from a next step. */
  const leftOf = async (executor: SshExecutor, group: string): Promise<RunResult> =>
    executor.run(['sh', '-c', `ps -A -o pgid= -o pid= -o stat= | awk '$1 == ${group} && $3 !~ /^Z/'`]);

  test.each([
    ['root', () => host.username],
    ['a sudo login, the command as root', () => deployer.name],
  ])(
    'cut during a command that traps SIGTERM (%s): the next step runs only once it is gone, SIGKILLed after killGraceMs',
    async (_, login) => {
      const { executor, proxy } = await throughProxy(login(), { killGraceMs: 2_000 });
      const dir = scratch(host);
      const token = `fleet-drop-${randomBytes(6).toString('hex')}`;
      // Notes SIGTERM and carries on (its `sleep` children are in its process group).
      const body = `trap 'echo term >> ${dir.path}/log' TERM; while :; do sleep 0.1; done # ${token}`;
      const { group, error } = await cutOff(executor, proxy, body);
      expect(error.message).toMatch(/may still have been running/);
      const next = await leftOf(executor, group);
      expect(next.exitCode).toBe(0);
      expect(next.stdout).toBe('');
      // It was sent SIGTERM first, and needed the SIGKILL: it never stopped on its own.
      expect(readFileSync(join(dir.local, 'log'), 'utf8')).toMatch(/^(term\n)+$/);
      expect(isRunning(token)).toBe(false);
    },
  );

  test('a cut-off command the cleanup cannot kill: the next step fails saying so instead of running beside it', async () => {
    const { executor, proxy } = await throughProxy(host.username, { killGraceMs: 1_000 });
    // Run as the deploy user, it starts a root process in its process group (sudo without a
    // terminal keeps it there) that ignores SIGTERM: the deploy user's SIGKILL cannot end it.
    const body = `sudo -n sh -c 'trap "" TERM; exec sleep 600'`;
    const { group, error } = await cutOff(executor, proxy, body, { user: deployer.name });
    expect(error.message).toMatch(/may still have been running/);
    try {
      const refused = await settle(executor.run(['echo', 'ok']));
      expect(isDeployError(refused) && refused.code).toBe('executor_failed');
      expect(refused.message).toMatch(
        /^A command a lost connection cut off on .* could not be confirmed stopped, so nothing more runs there until it is: [\s\S]*still running 1000 ms after SIGTERM and 2000 ms after SIGKILL \(pids \d+\)$/,
      );
    } finally {
      process.kill(-Number(group), 'SIGKILL');
    }
    // Gone now: the next step runs.
    expect((await leftOf(executor, group)).stdout).toBe('');
  });
});
