import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { hasSystemCommand } from '@fleet/test-utils/system-deps';
import { hasTestHostDeps, startTestHosts, type TestHost, type TestHosts } from '@fleet/test-utils/test-hosts';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { isDeployError } from '../../src/deploy/errors.ts';
import { SshExecutor } from '../../src/deploy/ssh-executor.ts';
import { sshExecutors } from './_ssh.ts';

const canRun = hasTestHostDeps() && hasSystemCommand('ssh-agent', 'openssh-client');

/** A new key pair written by ssh-keygen into `dir`, its public key authorized for root on the run's hosts. */
function authorizedKey(run: TestHosts, dir: string, name: string, args: string[]): string {
  const file = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-C', name, '-f', file, ...args]);
  run.authorize('root', readFileSync(`${file}.pub`, 'utf8'));
  return file;
}

describe.skipIf(!canRun)('SshExecutor: the key it logs in with', () => {
  let run: TestHosts;
  let host: TestHost;
  let dir: string;
  let agent: ChildProcess | undefined;
  let agentSocket: string;
  const sshTo = sshExecutors(() => run);
  const agentExecutors: SshExecutor[] = [];
  /** An executor with no identity: the agent at `agent`, or at SSH_AUTH_SOCK, must sign. */
  const viaAgent = (agent?: string): SshExecutor => {
    const executor = new SshExecutor({
      address: host.address,
      username: 'root',
      knownHostsFile: run.knownHostsPath,
      ...(agent === undefined ? {} : { agent }),
    });
    agentExecutors.push(executor);
    return executor;
  };
  const rejection = (promise: Promise<unknown>) =>
    promise.then(
      () => new Error('it succeeded'),
      (caught: unknown) => caught as Error,
    );

  beforeAll(async () => {
    run = await startTestHosts(1);
    [host] = run.hosts as [TestHost];
    dir = mkdtempSync(join(tmpdir(), 'fleet-ssh-identity-'));
    agentSocket = join(dir, 'agent.sock');
    agent = spawn('ssh-agent', ['-D', '-a', agentSocket], { stdio: 'ignore' });
    for (let tries = 0; tries < 100 && !existsSync(agentSocket); tries += 1) await sleep(50);
  });
  afterEach(async () => {
    await Promise.all(agentExecutors.splice(0).map((executor) => executor.close()));
  });
  afterAll(async () => {
    agent?.kill('SIGTERM');
    await run?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('an RSA key file logs in, in OpenSSH format or PEM', async () => {
    // ssh-keygen's RFC4716 for a private key is the OpenSSH format.
    for (const [format, header] of [
      ['RFC4716', 'OPENSSH PRIVATE KEY'],
      ['PEM', 'RSA PRIVATE KEY'],
    ] as const) {
      const key = authorizedKey(run, dir, `rsa-${format}`, ['-t', 'rsa', '-b', '2048', '-N', '', '-m', format]);
      expect(readFileSync(key, 'utf8')).toContain(`-----BEGIN ${header}-----`);
      expect((await sshTo(host, { identity: key }).run(['hostname'])).stdout).toBe(`${host.name}\n`);
    }
  });

  test('an encrypted key needs its passphrase: a clear error before connecting without it', async () => {
    const key = authorizedKey(run, dir, 'encrypted', ['-t', 'ed25519', '-N', 'open sesame']);
    const locked = sshTo(host, { identity: key });
    const error = await rejection(locked.run(['true']));
    expect(isDeployError(error) && error.code).toBe('executor_failed');
    expect(error.message).toContain(`Cannot use the identity file ${key}`);
    expect(error.message).toMatch(/passphrase/);
    expect(locked.stats.connections).toBe(0);
    const wrong = await rejection(sshTo(host, { identity: key, passphrase: 'wrong' }).run(['true']));
    expect(wrong.message).toMatch(/bad passphrase/);
    const unlocked = sshTo(host, { identity: key, passphrase: 'open sesame' });
    expect((await unlocked.run(['hostname'])).stdout).toBe(`${host.name}\n`);
  });

  test('a PKCS#8 ed25519 key, which ssh2 cannot read, is refused saying what to use instead', async () => {
    const file = join(dir, 'pkcs8-ed25519');
    const { privateKey } = generateKeyPairSync('ed25519');
    writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    const executor = sshTo(host, { identity: file });
    const error = await rejection(executor.run(['true']));
    expect(isDeployError(error) && error.code).toBe('executor_failed');
    expect(error.message).toContain(`Cannot use the identity file ${file}: Unsupported key format`);
    expect(error.message).toMatch(/OpenSSH-format/);
    expect(executor.stats.connections).toBe(0);
  });

  test('a key file that is not there is named', async () => {
    const missing = join(dir, 'no-such-key');
    const error = await rejection(sshTo(host, { identity: missing }).stat('/'));
    expect(isDeployError(error) && error.code).toBe('executor_failed');
    expect(error.message).toContain(`Cannot read the identity file ${missing}`);
    expect(error.message).toContain('ENOENT');
  });

  test('without an identity the SSH agent signs: the agent option, else SSH_AUTH_SOCK', async () => {
    const key = authorizedKey(run, dir, 'in-agent', ['-t', 'ed25519', '-N', '']);
    const empty = await rejection(viaAgent(agentSocket).run(['true']));
    expect(empty.message).toMatch(/authentication methods failed/);
    execFileSync('ssh-add', ['-q', key], { env: { ...process.env, SSH_AUTH_SOCK: agentSocket }, stdio: 'ignore' });
    expect((await viaAgent(agentSocket).run(['hostname'])).stdout).toBe(`${host.name}\n`);
    const saved = process.env.SSH_AUTH_SOCK;
    process.env.SSH_AUTH_SOCK = agentSocket;
    try {
      expect((await viaAgent().run(['hostname'])).stdout).toBe(`${host.name}\n`);
    } finally {
      if (saved === undefined) delete process.env.SSH_AUTH_SOCK;
      else process.env.SSH_AUTH_SOCK = saved;
    }
  });

  test('with neither an identity nor an agent, the error says so', async () => {
    const saved = process.env.SSH_AUTH_SOCK;
    delete process.env.SSH_AUTH_SOCK;
    try {
      const error = await rejection(viaAgent().run(['true']));
      expect(isDeployError(error) && error.code).toBe('executor_failed');
      expect(error.message).toMatch(/give an identity .* or run an SSH agent \(SSH_AUTH_SOCK is not set\)/);
    } finally {
      if (saved !== undefined) process.env.SSH_AUTH_SOCK = saved;
    }
  });
});
