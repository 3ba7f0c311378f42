import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { hasTestHostDeps, startTestHosts, type TestHost, type TestHosts } from '@fleet/test-utils/test-hosts';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { isDeployError } from '../../src/deploy/errors.ts';
import { scratch, settle, sshExecutors, until } from './_ssh.ts';

describe.skipIf(!hasTestHostDeps())('SshExecutor: the host stops answering SFTP while the connection stays', () => {
  let run: TestHosts;
  let host: TestHost;
  const sshTo = sshExecutors(() => run);
  const stopped: number[] = [];

  /** The host's processes whose command line starts with `title` (sshd sets them). */
  const processes = (title: string): number[] =>
    spawnSync('ip', ['netns', 'pids', host.name], { encoding: 'utf8' })
      .stdout.split('\n')
      .filter((pid) => pid && existsSync(`/proc/${pid}`))
      .filter((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith(title))
      .map(Number);

  /** SIGSTOPs the host's process with this title once it is the only one (an earlier test's may still end); SIGCONT after the test. */
  const stop = async (title: string): Promise<void> => {
    await until(() => processes(title).length === 1);
    const [pid] = processes(title) as [number];
    process.kill(pid, 'SIGSTOP');
    stopped.push(pid);
  };

  beforeAll(async () => {
    run = await startTestHosts(1);
    [host] = run.hosts as [TestHost];
  });
  afterEach(() => {
    for (const pid of stopped.splice(0)) {
      try {
        process.kill(pid, 'SIGCONT');
      } catch {
        // Gone already.
      }
    }
  });
  afterAll(() => run?.close());

  test('a stalled SFTP server fails the write after sftpTimeoutMs, saying so; the next write opens a new session', async () => {
    const executor = sshTo(host, { sftpTimeoutMs: 1_000, keepaliveIntervalMs: 2_000, keepaliveCountMax: 3 });
    const dir = scratch(host);
    await executor.writeFile(`${dir.path}/first`, '1\n');
    await stop('sshd: root@internal-sftp');
    const error = await settle(executor.writeFile(`${dir.path}/second`, '2\n'));
    expect(isDeployError(error) && error.code).toBe('executor_failed');
    expect(error.message).toMatch(/SSH to .*: the SFTP session answered no lstat request within 1 s, so it was closed/);
    // Exec channels of the same connection still work, and so does a new SFTP session.
    expect((await executor.run(['echo', 'up'])).stdout).toBe('up\n');
    await executor.writeFile(`${dir.path}/second`, '2\n');
    expect(readFileSync(join(dir.local, 'second'), 'utf8')).toBe('2\n');
    expect(executor.stats.connections).toBe(1);
  });

  test('stalled mid-write: the chunk in flight times out and the temp file is removed over the same connection', async () => {
    const executor = sshTo(host, { sftpTimeoutMs: 1_000 });
    const dir = scratch(host);
    await executor.writeFile(`${dir.path}/warm`, 'x\n');
    const writing = settle(executor.writeFile(`${dir.path}/big.bin`, Buffer.alloc(256 << 20, 7)));
    // Stopped once the temp file has its first bytes: the open was answered, a write is in flight.
    const temp = (): string | undefined => readdirSync(dir.local).find((name) => name.startsWith('.big.bin'));
    await until(() => {
      const name = temp();
      return name !== undefined && statSync(join(dir.local, name)).size > 0;
    });
    await stop('sshd: root@internal-sftp');
    const error = await writing;
    expect(error.message).toMatch(/SSH to .*: the SFTP session answered no write request within 1 s/);
    expect(readdirSync(dir.local).sort()).toEqual(['warm']);
    await executor.writeFile(`${dir.path}/big.bin`, Buffer.alloc(3 << 20, 8));
    expect(statSync(join(dir.local, 'big.bin')).size).toBe(3 << 20);
    expect(executor.stats.connections).toBe(1);
  });

  test('opening the SFTP session gets the same deadline', async () => {
    const executor = sshTo(host, { sftpTimeoutMs: 1_000, keepaliveIntervalMs: 600_000 });
    const dir = scratch(host);
    await executor.run(['true']);
    // The connection's own sshd process: nothing on the connection answers, keepalive is far off.
    await stop('sshd: root@notty');
    const error = await settle(executor.symlink('/', `${dir.path}/link`));
    expect(error.message).toMatch(/SSH to .*: the SFTP session answered no open request within 1 s/);
  });
});
