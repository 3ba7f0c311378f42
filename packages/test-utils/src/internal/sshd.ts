import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** Debian's OpenSSH server (package `openssh-server`). */
export const SSHD_PATH = '/usr/sbin/sshd';

/** The files of one host's sshd, all in its temp dir: nothing comes from /etc/ssh. */
export interface SshdFiles {
  config: string;
  hostKey: string;
  pidFile: string;
  /** Each user's authorized keys, `%u` standing for the user name (sshd's own token). */
  authorizedKeys: string;
  log: string;
}

/** An sshd config that listens on the host's address only and lets users in by key only (root's: the client key). */
export function sshdConfig(address: string, port: number, files: SshdFiles): string {
  return [
    `ListenAddress ${address}`,
    `Port ${port}`,
    `HostKey ${files.hostKey}`,
    `PidFile ${files.pidFile}`,
    `AuthorizedKeysFile ${files.authorizedKeys}`,
    'StrictModes no',
    'UsePAM no',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PermitRootLogin prohibit-password',
    'Subsystem sftp internal-sftp',
    'UseDNS no',
    'PrintMotd no',
    'LogLevel VERBOSE',
    '',
  ].join('\n');
}

/** A bind mount inside the host's private mount namespace: `source` (a temp dir) shows at `target`. */
export interface BindMount {
  source: string;
  target: string;
}

function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/**
 * Starts `sshd -D -e` in the network namespace, in a private mount and UTS namespace whose bind
 * mounts and hostname belong to this host only (`--propagation private`: nothing leaks back).
 * `ip netns exec`, `unshare` and `sh` each exec the next, so the child is sshd itself.
 */
export function spawnSshd(
  netns: string,
  hostname: string,
  mounts: BindMount[],
  files: SshdFiles,
  sshdPath = SSHD_PATH,
): ChildProcess {
  const script = [
    'set -e',
    `hostname ${shellQuote(hostname)}`,
    ...mounts.map((m) => `mount --bind ${shellQuote(m.source)} ${shellQuote(m.target)}`),
    `exec ${shellQuote(sshdPath)} -D -e -f ${shellQuote(files.config)}`,
  ].join('\n');
  const log = openSync(files.log, 'a');
  try {
    const child = spawn(
      'ip',
      ['netns', 'exec', netns, 'unshare', '--mount', '--uts', '--propagation', 'private', '--', 'sh', '-c', script],
      { stdio: ['ignore', log, log] },
    );
    child.unref();
    return child;
  } finally {
    closeSync(log);
  }
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-15).join('\n');
  } catch {
    return '(no log)';
  }
}

function readBanner(address: string, port: number, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host: address, port });
    let data = '';
    const done = (banner?: string) => {
      socket.destroy();
      resolve(banner);
    };
    socket.setTimeout(timeoutMs, () => done());
    socket.on('error', () => done());
    socket.on('close', () => done());
    socket.on('data', (chunk: Buffer) => {
      data += chunk.toString('latin1');
      const line = data.split('\r\n')[0] ?? '';
      if (data.includes('\n')) done(line.startsWith('SSH-2.0-') ? line : undefined);
    });
  });
}

/**
 * Waits until the host's sshd accepts TCP and sends an SSH banner. Rejects with the tail of its
 * log when sshd exits first or the deadline passes.
 */
export async function waitForSshd(
  child: ChildProcess,
  address: string,
  port: number,
  logFile: string,
  timeoutMs: number,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let exited: string | undefined;
  if (child.exitCode !== null || child.signalCode !== null) exited = String(child.exitCode ?? child.signalCode);
  child.once('exit', (code, signal) => {
    exited = String(code ?? signal);
  });
  while (Date.now() < deadline) {
    if (exited !== undefined)
      throw new Error(`sshd on ${address} exited (${exited}) before listening:\n${tail(logFile)}`);
    const banner = await readBanner(address, port, Math.max(100, Math.min(2_000, deadline - Date.now())));
    if (banner) return banner;
    await sleep(50);
  }
  throw new Error(`sshd on ${address}:${port} sent no SSH banner within ${timeoutMs} ms:\n${tail(logFile)}`);
}
