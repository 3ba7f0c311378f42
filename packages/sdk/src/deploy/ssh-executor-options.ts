import type { Buffer } from 'node:buffer';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DeployError } from './errors.ts';
import { readIdentity } from './ssh/internal/read-identity.ts';
import type { ConnectionOptions } from './ssh/internal/ssh-connection.ts';

/** Options of {@link SshExecutor}. */
export interface SshExecutorOptions {
  /** The host's DNS name or IP address, as `known_hosts` names it. */
  address: string;
  /** @default 22 */
  port?: number;
  /** The login user. @default the local user's name, as for `ssh` */
  username?: string;
  /**
   * Do everything as root through `sudo -n`: commands (unless a run's `user` names
   * another user), probes, and file, directory and symlink changes (a file's content then goes
   * over the stdin of one sudo command, never its command line). The login user needs
   * passwordless sudo (`NOPASSWD`); a sudo that asks for a password is an error at once, never a
   * prompt. Off, a non-root login changes only what it may change itself.
   * @default true unless `username` is root
   */
  sudo?: boolean;
  /** The host name results and events show. @default address */
  host?: string;
  /**
   * The private key: a file path, or the key itself as a Buffer (OpenSSH format, or PEM for RSA
   * and ECDSA: ssh2 cannot read PEM or PKCS#8 ed25519 keys). Without it, the SSH agent at `agent`
   * signs; with neither, connecting fails saying so.
   */
  identity?: string | Buffer;
  /** The passphrase of an encrypted `identity`. */
  passphrase?: string;
  /** The SSH agent's socket, used when no `identity` is given. @default process.env.SSH_AUTH_SOCK */
  agent?: string;
  /** The OpenSSH `known_hosts` file the host key must be in. @default ~/.ssh/known_hosts */
  knownHostsFile?: string;
  /**
   * Trust the key of a host `known_hosts` does not know, and record it there (hashed). A changed
   * or revoked key is refused all the same. @default false
   */
  acceptNewHostKeys?: boolean;
  /** Keepalive probes this often; a host that answers none of `keepaliveCountMax` in a row is lost. @default 10_000 */
  keepaliveIntervalMs?: number;
  /**
   * A large stdin (a file written through sudo, a run's `input`) keeps no more in flight than the
   * link moves in a quarter of `keepaliveIntervalMs × keepaliveCountMax` (at least 128 KiB), so that
   * keepalive, answered only after it, does not end the connection on a slow link.
   * @default 3
   */
  keepaliveCountMax?: number;
  /** How long connecting and the SSH handshake may take. @default 20_000 */
  readyTimeoutMs?: number;
  /**
   * How long one SFTP request of a file write or symlink (or opening the SFTP session) may go
   * unanswered; a file is written in requests of 1 MiB, each with this deadline. Then the SFTP
   * session is closed and the call fails, saying so; the next file operation opens a new session.
   * Keepalive does not cover this: the connection stays up when only the host's SFTP server hangs.
   * @default 60_000
   */
  sftpTimeoutMs?: number;
  /**
   * Default command timeout. A file written through sudo (a login other than root) gets this plus
   * the file's size at 16 KiB/s. @default 300_000
   */
  timeoutMs?: number;
  /**
   * Between SIGTERM and SIGKILL of a timed-out command (`timeout -k` on the host), and of a command a
   * lost connection cut off, which the next connection waits for to be gone. @default 5_000
   */
  killGraceMs?: number;
  /** Bytes of a command's output kept (its tail). @default 65_536 */
  maxOutputBytes?: number;
}

/** Requests an {@link SshExecutor} has sent: each is one round trip to its host. */
export interface SshExecutorStats {
  /** SSH connections opened (a lost one is reopened by the next call). */
  connections: number;
  /** Exec channels: commands, probes, `mkdir` and attribute changes. */
  execs: number;
  /** SFTP requests: file writes and symlinks. */
  sftpRequests: number;
}

/**
 * What {@link SshExecutor} connects with: `options` with their defaults, and the `identity` file
 * read (a leading `~/` is the home directory) and checked.
 */
export async function resolveConnectionOptions(
  options: SshExecutorOptions,
  name: string,
  username: string,
): Promise<ConnectionOptions> {
  const { identity, passphrase } = options;
  const privateKey = identity === undefined ? undefined : await readIdentity(identity, passphrase);
  const agent = options.agent ?? process.env.SSH_AUTH_SOCK;
  if (privateKey === undefined && !agent) {
    throw new DeployError(
      'executor_failed',
      `No key to log in to ${name} as ${username} with: give an identity (a private key file) or run an SSH agent (SSH_AUTH_SOCK is not set)`,
    );
  }
  return {
    name,
    address: options.address,
    port: options.port ?? 22,
    username,
    privateKey,
    passphrase,
    agent,
    knownHostsFile: options.knownHostsFile ?? join(homedir(), '.ssh', 'known_hosts'),
    acceptNewHostKeys: options.acceptNewHostKeys ?? false,
    keepaliveIntervalMs: options.keepaliveIntervalMs ?? 10_000,
    keepaliveCountMax: options.keepaliveCountMax ?? 3,
    readyTimeoutMs: options.readyTimeoutMs ?? 20_000,
    sftpTimeoutMs: options.sftpTimeoutMs ?? 60_000,
  };
}
