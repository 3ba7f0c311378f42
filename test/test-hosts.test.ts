import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hasTestHostDeps, startTestHosts, type TestHost, type TestHosts } from '@fleet/test-utils/test-hosts';
import { Client, type ConnectConfig, type SFTPWrapper } from 'ssh2';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

/** Connects as root with the run's client key, accepting exactly `pinned` as the host key. */
function connect(host: TestHost, pinned: Buffer, extra: Partial<ConnectConfig> = {}): Promise<Client> {
  const client = new Client();
  return new Promise((resolve, reject) => {
    client.once('ready', () => resolve(client));
    client.once('error', reject);
    client.connect({
      host: host.address,
      port: host.port,
      username: host.username,
      privateKey: host.clientKey.privateKey,
      // Byte for byte against the pinned blob, never anything else (ssh2 accepts any key by default).
      hostVerifier: (key: Buffer) => key.length === pinned.length && key.equals(pinned),
      readyTimeout: 5_000,
      ...extra,
    });
  });
}

function exec(client: Client, command: string): Promise<{ stdout: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    client.exec(command, (error, stream) => {
      if (error) return reject(error);
      let stdout = '';
      let code: number | null = null;
      stream.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
      });
      stream.stderr.resume();
      stream.on('exit', (exitCode: number | null) => {
        code = exitCode;
      });
      stream.on('close', () => resolve({ stdout, code }));
    });
  });
}

function netnsNames(): string[] {
  const list = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout;
  return list
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((name) => name.startsWith('fleet-test-'));
}

function mountedAt(target: string): boolean {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .some((line) => line.split(' ')[4] === target);
}

describe.skipIf(!hasTestHostDeps())('test hosts: network namespaces running a real OpenSSH server', () => {
  let run: TestHosts;
  let a: TestHost;
  let b: TestHost;

  beforeAll(async () => {
    run = await startTestHosts(2);
    [a, b] = run.hosts as [TestHost, TestHost];
    for (const host of run.hosts) writeFileSync(`${host.dirs.etcFleet}/marker`, `marker of ${host.name}\n`);
  });
  afterAll(() => run?.close());

  test('each host has its own address, hostname and /etc/fleet, and nothing leaks into this machine', async () => {
    expect(a.address).not.toBe(b.address);
    expect(a.address).toMatch(/^10\.213\.\d+\.2$/);
    for (const host of run.hosts) {
      const client = await connect(host, host.hostKeyBlob);
      const { stdout, code } = await exec(client, 'hostname; cat /etc/fleet/marker');
      client.end();
      expect(code).toBe(0);
      expect(stdout).toBe(`${host.name}\nmarker of ${host.name}\n`);
    }
    expect(existsSync('/etc/fleet/marker')).toBe(false);
    for (const target of ['/etc/fleet', '/opt/fleet', '/var/lib/fleet', '/etc/systemd/system']) {
      expect(mountedAt(target)).toBe(false);
    }
    expect(readFileSync(run.knownHostsPath, 'utf8')).toBe(`${a.knownHostsLine}\n${b.knownHostsLine}\n`);
  });

  test("a command runs without this machine's root shell start-up file (an empty ~/.bashrc there)", async () => {
    const client = await connect(a, a.hostKeyBlob);
    const { stdout, code } = await exec(client, 'wc -c < /root/.bashrc 2>/dev/null || echo absent');
    client.end();
    expect(code).toBe(0);
    expect(stdout.trim()).toBe(existsSync('/root/.bashrc') ? '0' : 'absent');
  });

  test("the hosts reach each other, as a fleet's hosts do (a dashboard on one probes the others)", async () => {
    const client = await connect(a, a.hostKeyBlob);
    // bash's /dev/tcp: a TCP connection from host a to host b's sshd.
    const { stdout, code } = await exec(
      client,
      `timeout 5 bash -c 'exec 3<>/dev/tcp/${b.address}/22 && head -c 7 <&3'`,
    );
    client.end();
    expect(code).toBe(0);
    expect(stdout).toBe('SSH-2.0');
  });

  test('an SFTP upload to /opt/fleet lands in that host backing dir only', async () => {
    const client = await connect(a, a.hostKeyBlob);
    const sftp = await new Promise<SFTPWrapper>((resolve, reject) =>
      client.sftp((error, wrapper) => (error ? reject(error) : resolve(wrapper))),
    );
    const body = `uploaded to ${a.name} at ${Date.now()}\n`;
    await new Promise<void>((resolve, reject) =>
      sftp.writeFile('/opt/fleet/release.txt', body, (error) => (error ? reject(error) : resolve())),
    );
    const readBack = await new Promise<string>((resolve, reject) =>
      sftp.readFile('/opt/fleet/release.txt', (error, data) => (error ? reject(error) : resolve(data.toString()))),
    );
    client.end();
    expect(readBack).toBe(body);
    expect(readFileSync(`${a.dirs.optFleet}/release.txt`, 'utf8')).toBe(body);
    expect(existsSync(`${b.dirs.optFleet}/release.txt`)).toBe(false);
    expect(existsSync('/opt/fleet/release.txt')).toBe(false);
  });

  test('a host that presents a key other than the pinned one is refused before authentication', async () => {
    const accepted = () => readFileSync(a.sshdLog, 'utf8').match(/Accepted publickey/g)?.length ?? 0;
    const acceptedBefore = accepted();
    await expect(connect(a, b.hostKeyBlob)).rejects.toThrow(/verification failed/i);
    await expect(connect(b, a.hostKeyBlob)).rejects.toThrow(/verification failed/i);
    expect(accepted()).toBe(acceptedBefore);
  });

  test('a host crashed with SIGKILL mid-command ends the connection within seconds, and comes back on restart', async () => {
    const client = await connect(b, b.hostKeyBlob, { keepaliveInterval: 1_000, keepaliveCountMax: 3 });
    const ended = new Promise<number>((resolve) => client.once('close', () => resolve(Date.now())));
    const command = exec(client, 'sleep 60');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const killedAt = Date.now();
    b.kill('SIGKILL');
    expect((await ended) - killedAt).toBeLessThan(5_000);
    expect((await command).code).toBeNull();

    await b.restart();
    const again = await connect(b, b.hostKeyBlob);
    expect((await exec(again, 'cat /etc/fleet/marker')).stdout).toBe(`marker of ${b.name}\n`);
    again.end();
  });

  test('a host that goes silent mid-command fails the connection by keepalive within bounded time', async () => {
    const client = await connect(a, a.hostKeyBlob, { keepaliveInterval: 1_000, keepaliveCountMax: 3 });
    const failed = new Promise<[Error, number]>((resolve) =>
      client.on('error', (error) => resolve([error, Date.now()])),
    );
    void exec(client, 'sleep 60').catch(() => {});
    await new Promise((resolve) => setTimeout(resolve, 300));
    const cutAt = Date.now();
    await a.cutNetwork();
    const [error, failedAt] = await failed;
    expect(error.message).toMatch(/keepalive timeout/i);
    expect(failedAt - cutAt).toBeLessThan(8_000);
    client.end();

    await a.restoreNetwork();
    const again = await connect(a, a.hostKeyBlob);
    expect((await exec(again, 'hostname')).stdout).toBe(`${a.name}\n`);
    again.end();
  }, 20_000);

  test('close() kills the servers and removes the namespaces, veths and temp dirs, and a failed start cleans up', async () => {
    const extra = await startTestHosts(1);
    const [host] = extra.hosts as [TestHost];
    const tempDir = extra.knownHostsPath.replace(/\/known_hosts$/, '');
    expect(netnsNames()).toContain(host.name);
    await extra.close();
    expect(netnsNames()).not.toContain(host.name);
    expect(existsSync(tempDir)).toBe(false);
    const links = spawnSync('ip', ['-o', 'addr', 'show'], { encoding: 'utf8' }).stdout;
    expect(links).not.toContain(`${host.gatewayAddress}/30`);

    const before = netnsNames();
    await expect(startTestHosts(2, { sshdPath: '/bin/false', readyTimeoutMs: 2_000 })).rejects.toThrow(
      /exited \(1\) before listening/,
    );
    expect(netnsNames()).toEqual(before);

    await run.close();
    expect(netnsNames().filter((name) => name.startsWith(`fleet-test-${process.pid}-`))).toEqual([]);
  });
});
