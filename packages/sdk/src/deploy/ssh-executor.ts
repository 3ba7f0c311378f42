import { userInfo } from 'node:os';
import { DeployError } from './errors.ts';
import type { Command, Executor, PathAttributes, PathInfo, ProbeRequest, RunOptions, RunResult } from './executor.ts';
import { DEFAULT_KILL_GRACE_MS, DEFAULT_MAX_OUTPUT_BYTES, DEFAULT_TIMEOUT_MS } from './internal/executor-defaults.ts';
import { failed } from './internal/executor-failure.ts';
import { readFileByProbe, statByProbe } from './internal/probe-reads.ts';
import { remoteCommand, stopCommand } from './internal/remote-command.ts';
import { PROBE_SCRIPT, parseProbeOutput, probeInput } from './internal/remote-probe.ts';
import { shellJoin } from './internal/shell-quote.ts';
import { accountChecks, attributeCommands, checkPath } from './internal/ssh-paths.ts';
import { tempName } from './internal/temp-name.ts';
import { RemoteAccounts } from './ssh/internal/remote-accounts.ts';
import { runChannel } from './ssh/internal/run-channel.ts';
import { SftpCalls } from './ssh/internal/sftp-calls.ts';
import { openConnection, type SshConnection } from './ssh/internal/ssh-connection.ts';
import { resolveConnectionOptions, type SshExecutorOptions, type SshExecutorStats } from './ssh-executor-options.ts';

// After the host's own timeout and kill grace, how long the client waits before closing the channel.
const BACKSTOP_SLACK_MS = 10_000;
// Bound on the executor's own short commands (probes, lookups, mkdir).
const INTERNAL_TIMEOUT_MS = 120_000;

/**
 * A remote host over SSH (ssh2, an optional peer: `npm install ssh2`), one connection reused for
 * every call and opened on the first. The host key must be in `known_hosts` (fails closed, with
 * both fingerprints); keepalive finds a dead host within `keepaliveIntervalMs × keepaliveCountMax`.
 * Commands run under `timeout -k` on the host, with the environment on stdin, never in argv;
 * {@link SshExecutor.probe} is one exec whatever the number of paths; files are uploaded over SFTP
 * to a temp file, fsynced and renamed over the target.
 *
 * @example
 * const executor = new SshExecutor({ address: '10.0.0.5', username: 'root', identity: '~/.ssh/id_ed25519' });
 * try {
 *   await runPlan(plan, { executor, mode: 'apply' });
 * } finally {
 *   await executor.close();
 * }
 */
export class SshExecutor implements Executor {
  /** The host name results and events show. */
  readonly host: string;
  /** The login user. */
  readonly username: string;
  /** Round trips so far. */
  readonly stats: SshExecutorStats = { connections: 0, execs: 0, sftpRequests: 0 };
  readonly #options: SshExecutorOptions;
  readonly #timeoutMs: number;
  readonly #killGraceMs: number;
  readonly #maxOutputBytes: number;
  #connecting: Promise<SshConnection> | undefined;
  #closed = false;
  #accounts: { connection: SshConnection; accounts: RemoteAccounts } | undefined;

  constructor(options: SshExecutorOptions) {
    this.#options = options;
    this.host = options.host ?? options.address;
    this.username = options.username ?? userInfo().username;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#killGraceMs = options.killGraceMs ?? DEFAULT_KILL_GRACE_MS;
    this.#maxOutputBytes = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  }

  /** {@inheritDoc Executor.run} */
  async run(command: Command, options: RunOptions = {}): Promise<RunResult> {
    const started = performance.now();
    const timeoutMs = options.timeoutMs ?? this.#timeoutMs;
    const sudoUser = options.user !== undefined && options.user !== this.username ? options.user : undefined;
    const remote = remoteCommand(command, {
      env: options.env ?? {},
      cwd: options.cwd ?? '/',
      sudoUser,
      timeoutMs,
      killGraceMs: this.#killGraceMs,
      input: options.input,
    });
    const { signal } = options;
    if (signal?.aborted) {
      return { exitCode: null, signal: null, timedOut: true, stdout: '', output: '', durationMs: 0 };
    }
    let aborted = false;
    let connection: SshConnection | undefined;
    const abort = (): void => {
      aborted = true;
      // Stops the host's `timeout`, which stops the command's whole process group (then SIGKILLs it).
      if (connection) void this.#exec(connection, stopCommand(remote.marker, 'TERM', sudoUser)).catch(() => {});
    };
    signal?.addEventListener('abort', abort, { once: true });
    try {
      connection = await this.#connect();
      if (aborted) abort();
      this.stats.execs += 1;
      const result = await runChannel(connection, remote.line, {
        stdin: remote.stdin,
        maxOutputBytes: this.#maxOutputBytes,
        backstopMs: timeoutMs + this.#killGraceMs + BACKSTOP_SLACK_MS,
      });
      const durationMs = performance.now() - started;
      const code = result.exitCode;
      // `timeout` exits 124 when SIGTERM did it; with SIGKILL it kills its own process group, itself too.
      const killedBy = result.signal ?? (code === 137 ? 'SIGKILL' : code === 124 || code === 143 ? 'SIGTERM' : null);
      const timedOut = aborted || result.closedByClient || (durationMs >= timeoutMs && killedBy !== null);
      return {
        exitCode: timedOut ? null : code,
        signal: timedOut ? killedBy : result.signal,
        timedOut,
        stdout: result.stdout,
        output: result.output,
        durationMs,
      };
    } catch (error) {
      throw failed('run a command on', this.host, error);
    } finally {
      signal?.removeEventListener('abort', abort);
    }
  }

  /** {@inheritDoc Executor.probe} One exec of a POSIX `sh` script, whatever the number of paths. */
  async probe(requests: readonly ProbeRequest[]): Promise<PathInfo[]> {
    if (requests.length === 0) return [];
    const input = probeInput(requests);
    const connection = await this.#connect();
    let stdout: string;
    try {
      stdout = await this.#exec(connection, shellJoin(['sh', '-c', PROBE_SCRIPT]), input);
    } catch (error) {
      throw failed('probe paths on', this.host, error);
    }
    return parseProbeOutput(requests, stdout);
  }

  /** {@inheritDoc Executor.stat} */
  stat(path: string): Promise<PathInfo> {
    return statByProbe(this, path);
  }

  /** {@inheritDoc Executor.readFile} */
  readFile(path: string): Promise<string | undefined> {
    return readFileByProbe(this, path);
  }

  /** {@inheritDoc Executor.writeFile} Over SFTP: a temp file, `fsync@openssh.com`, `posix-rename@openssh.com`. */
  async writeFile(path: string, content: string | Uint8Array, attributes: PathAttributes = {}): Promise<void> {
    checkPath(path);
    const temp = tempName(path);
    let sftp: SftpCalls | undefined;
    let created = false;
    try {
      const connection = await this.#connect();
      sftp = await this.#sftp(connection);
      const ids = await this.#accountsOf(connection).ids(attributes);
      const existing = await sftp.lstat(path);
      const keep = existing?.isFile() ? existing : undefined;
      const uid = ids.uid ?? keep?.uid;
      const gid = ids.gid ?? keep?.gid;
      const handle = await sftp.create(temp, 0o600);
      created = true;
      try {
        await sftp.write(
          handle,
          typeof content === 'string'
            ? Buffer.from(content, 'utf8')
            : Buffer.from(content.buffer, content.byteOffset, content.byteLength),
        );
        if (uid !== undefined || gid !== undefined) {
          // SFTP wants both ids: -1 is chown's "leave it".
          await sftp.fsetstat(handle, { uid: uid ?? -1, gid: gid ?? -1 });
        }
        await sftp.fsetstat(handle, { mode: attributes.mode ?? (keep ? keep.mode & 0o7777 : 0o644) });
        await sftp.fsync(handle);
      } finally {
        await sftp.closeHandle(handle);
      }
      await sftp.rename(temp, path);
    } catch (error) {
      if (created) await sftp?.unlink(temp).catch(() => {});
      throw failed('write', path, error);
    }
  }

  /** {@inheritDoc Executor.mkdir} One exec: `mkdir -p`, then `chown` and `chmod`. */
  async mkdir(path: string, attributes: PathAttributes = {}): Promise<void> {
    checkPath(path);
    await this.#shell('create the directory', path, [
      ...accountChecks(attributes),
      shellJoin(['mkdir', '-p', '--', path]),
      ...attributeCommands(path, attributes),
    ]);
  }

  /** {@inheritDoc Executor.setAttributes} One exec of `chown` and `chmod` (names resolved by the host). */
  async setAttributes(path: string, attributes: PathAttributes): Promise<void> {
    checkPath(path);
    const commands = attributeCommands(path, attributes);
    if (commands.length > 0) await this.#shell('set owner or mode of', path, commands);
  }

  /** {@inheritDoc Executor.symlink} Over SFTP: a temp symlink, renamed over `path`. */
  async symlink(target: string, path: string): Promise<void> {
    checkPath(path);
    const temp = tempName(path);
    let sftp: SftpCalls | undefined;
    let created = false;
    try {
      sftp = await this.#sftp(await this.#connect());
      await sftp.symlink(target, temp);
      created = true;
      await sftp.rename(temp, path);
    } catch (error) {
      if (created) await sftp?.unlink(temp).catch(() => {});
      throw failed('link', path, error);
    }
  }

  /** Ends the connection; later calls reject. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    const connecting = this.#connecting;
    this.#connecting = undefined;
    const connection = await connecting?.catch(() => undefined);
    await connection?.close();
  }

  async #connect(retried = false): Promise<SshConnection> {
    if (this.#closed) throw new DeployError('executor_failed', `SSH to ${this.host}: the executor was closed`);
    if (this.#connecting === undefined) {
      const connecting = this.#open();
      this.#connecting = connecting;
      // A failed connect is reported to its callers; the next call tries again.
      connecting.catch(() => {
        if (this.#connecting === connecting) this.#connecting = undefined;
      });
    }
    const connecting = this.#connecting;
    const connection = await connecting;
    if (connection.lost !== undefined && !retried) {
      // Lost since: the next call opens a new connection (and checks the host key again).
      if (this.#connecting === connecting) this.#connecting = undefined;
      return this.#connect(true);
    }
    return connection;
  }

  async #open(): Promise<SshConnection> {
    const resolved = await resolveConnectionOptions(this.#options, this.host, this.username);
    this.stats.connections += 1;
    return openConnection(resolved);
  }

  async #sftp(connection: SshConnection): Promise<SftpCalls> {
    const sftp = await connection.sftp();
    return new SftpCalls(sftp, () => {
      this.stats.sftpRequests += 1;
    });
  }

  #accountsOf(connection: SshConnection): RemoteAccounts {
    if (this.#accounts?.connection !== connection) {
      this.#accounts = { connection, accounts: new RemoteAccounts(this.host, (line) => this.#exec(connection, line)) };
    }
    return this.#accounts.accounts;
  }

  /** Runs one of the executor's own short command lines; its stdout, or a rejection with its output. */
  async #exec(connection: SshConnection, line: string, stdin = ''): Promise<string> {
    this.stats.execs += 1;
    const result = await runChannel(connection, line, {
      stdin,
      maxOutputBytes: Number.MAX_SAFE_INTEGER,
      backstopMs: INTERNAL_TIMEOUT_MS,
    });
    if (result.exitCode !== 0) {
      const detail = result.output.trim() || `exit ${result.exitCode ?? result.signal ?? 'unknown'}`;
      throw new DeployError('executor_failed', detail, { output: result.output });
    }
    return result.stdout;
  }

  async #shell(what: string, path: string, commands: readonly string[]): Promise<void> {
    try {
      await this.#exec(await this.#connect(), commands.join(' && '));
    } catch (error) {
      const output = error instanceof DeployError ? (error.output ?? '') : '';
      const account = /invalid (user|group): ['‘]?([^'’\n]*)/.exec(output);
      if (account) {
        throw new DeployError(
          'unknown_account',
          `Unknown ${account[1]} "${account[2]?.replace(/^:/, '')}" on ${this.host}`,
          { cause: error },
        );
      }
      throw failed(what, path, error instanceof DeployError && error.output ? new Error(error.message) : error);
    }
  }
}
