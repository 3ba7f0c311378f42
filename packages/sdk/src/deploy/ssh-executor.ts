import { userInfo } from 'node:os';
import { DeployError } from './errors.ts';
import type { Command, Executor, PathAttributes, PathInfo, ProbeRequest, RunOptions, RunResult } from './executor.ts';
import { DEFAULT_KILL_GRACE_MS, DEFAULT_MAX_OUTPUT_BYTES, DEFAULT_TIMEOUT_MS } from './internal/executor-defaults.ts';
import { failed } from './internal/executor-failure.ts';
import { readFileByProbe, statByProbe } from './internal/probe-reads.ts';
import { remoteCommand } from './internal/remote-command.ts';
import { PROBE_SCRIPT, parseProbeOutput, probeInput } from './internal/remote-probe.ts';
import { shellJoin } from './internal/shell-quote.ts';
import { accountChecks, attributeCommands, checkPath } from './internal/ssh-paths.ts';
import { tempName } from './internal/temp-name.ts';
import { type ExecLineOptions, execLine } from './ssh/internal/exec-line.ts';
import { HostLeftovers } from './ssh/internal/host-leftovers.ts';
import { BACKSTOP_SLACK_MS, hostScript, INTERNAL_KILL_GRACE_MS } from './ssh/internal/host-script.ts';
import { RemoteAccounts } from './ssh/internal/remote-accounts.ts';
import { notRunResult, runRemote } from './ssh/internal/run-remote.ts';
import { SftpCalls } from './ssh/internal/sftp-calls.ts';
import { sftpSymlink, sftpWriteFile } from './ssh/internal/sftp-files.ts';
import { shellFailure } from './ssh/internal/shell-failure.ts';
import { openConnection, type SshConnection } from './ssh/internal/ssh-connection.ts';
import { symlinkScript, writeScript } from './ssh/internal/sudo-files.ts';
import { sudoRefusal } from './ssh/internal/sudo-refusal.ts';
import { untilAborted } from './ssh/internal/until-aborted.ts';
import { limitSeconds, sudoWriteLimitMs, WRITE_FLOOR_BYTES_PER_SECOND } from './ssh/internal/write-limit.ts';
import { resolveConnectionOptions, type SshExecutorOptions, type SshExecutorStats } from './ssh-executor-options.ts';

/**
 * A remote host over SSH (ssh2, an optional peer: `npm install ssh2`), one connection reused for
 * every call and opened on the first. The host key must be in `known_hosts` (fails closed, with
 * both fingerprints); keepalive finds a dead host within `keepaliveIntervalMs × keepaliveCountMax`.
 * Commands run under `timeout -k` on the host, with the environment on stdin, never in argv;
 * {@link SshExecutor.probe} is one exec whatever the number of paths; files are uploaded over SFTP
 * to a temp file, fsynced and renamed over the target (an SFTP request the host leaves unanswered
 * for `sftpTimeoutMs` fails the call and closes the session; the next opens a new one). A login user other than root does
 * everything as root through `sudo -n` (see {@link SshExecutorOptions.sudo}). A lost connection
 * fails every call in flight at once; a command it cut off may still run on the host, so the next
 * connection (or {@link SshExecutor.close}) first stops it and waits until it is gone (SIGTERM, up
 * to `killGraceMs`, then SIGKILL; if it is still there, that call fails instead of running beside
 * it), and removes a temp file a cut write left.
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
  /** Whether everything runs as root through `sudo -n` ({@link SshExecutorOptions.sudo}). */
  readonly sudo: boolean;
  /** Round trips so far. */
  readonly stats: SshExecutorStats = { connections: 0, execs: 0, sftpRequests: 0 };
  readonly #options: SshExecutorOptions;
  readonly #timeoutMs: number;
  readonly #killGraceMs: number;
  readonly #maxOutputBytes: number;
  #connecting: Promise<SshConnection> | undefined;
  #closed = false;
  readonly #closing = new AbortController();
  #accounts: { connection: SshConnection; accounts: RemoteAccounts } | undefined;
  readonly #leftovers: HostLeftovers;
  readonly #leaveTempFile = (temp: string): void => this.#leftovers.addTempFile(temp);

  constructor(options: SshExecutorOptions) {
    this.#options = options;
    this.host = options.host ?? options.address;
    this.username = options.username ?? userInfo().username;
    this.sudo = options.sudo ?? this.username !== 'root';
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#killGraceMs = options.killGraceMs ?? DEFAULT_KILL_GRACE_MS;
    this.#maxOutputBytes = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
    this.#leftovers = new HostLeftovers(this.host, this.#killGraceMs);
  }

  /** {@inheritDoc Executor.run} Through `sudo -n -u` as `user`, or as root for a {@link sudo} login. */
  async run(command: Command, options: RunOptions = {}): Promise<RunResult> {
    const started = performance.now();
    const timeoutMs = options.timeoutMs ?? this.#timeoutMs;
    const asUser = options.user ?? (this.sudo ? 'root' : undefined);
    const sudoUser = asUser !== undefined && asUser !== this.username ? asUser : undefined;
    const remote = remoteCommand(command, {
      env: options.env ?? {},
      cwd: options.cwd ?? '/',
      sudoUser,
      timeoutMs,
      killGraceMs: this.#killGraceMs,
      input: options.input,
    });
    const { signal } = options;
    if (signal?.aborted) return notRunResult(started);
    let connection: SshConnection | undefined;
    let commandStarted = false;
    try {
      // An abort while connecting returns at once; the connection carries on for later calls.
      connection = await untilAborted(this.#connect(), signal);
      if (connection === undefined || signal?.aborted) return notRunResult(started);
      const opened = connection;
      this.stats.execs += 1;
      return await runRemote(opened, remote, {
        started,
        timeoutMs,
        killGraceMs: this.#killGraceMs,
        maxOutputBytes: this.#maxOutputBytes,
        sudoUser,
        signal,
        exec: (line) => this.#exec(opened, line, { priority: true }),
        onStarted: () => {
          commandStarted = true;
        },
        sudoRefusal: (output) => sudoRefusal(this.host, this.username, output),
      });
    } catch (error) {
      // sshd does not stop a command whose connection is gone: the next connection does.
      if (commandStarted && connection?.lost !== undefined)
        throw this.#leftovers.addRun(remote.marker, sudoUser, error);
      throw failed('run a command on', this.host, error);
    }
  }

  /** {@inheritDoc Executor.probe} One exec of a POSIX `sh` script, whatever the number of paths. */
  async probe(requests: readonly ProbeRequest[]): Promise<PathInfo[]> {
    if (requests.length === 0) return [];
    const input = probeInput(requests);
    let stdout: string;
    try {
      stdout = await this.#exec(await this.#connect(), this.#script(PROBE_SCRIPT), { stdin: input });
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

  /**
   * {@inheritDoc Executor.writeFile} As root: over SFTP, a temp file, `fsync@openssh.com`,
   * `posix-rename@openssh.com`. As a {@link sudo} login: one `sudo -n` script that reads the content
   * from stdin (paced so that keepalive is answered on a slow link) into a temp file, sets owner and
   * mode, fsyncs it and renames it over `path`; the host stops it after `timeoutMs` plus the size at
   * 16 KiB/s (128 kbit/s), and the call then fails saying it timed out.
   */
  async writeFile(path: string, content: string | Uint8Array, attributes: PathAttributes = {}): Promise<void> {
    checkPath(path);
    const bytes =
      typeof content === 'string'
        ? Buffer.from(content, 'utf8')
        : Buffer.from(content.buffer, content.byteOffset, content.byteLength);
    if (this.sudo) {
      // Limited by the content's size, not the fixed limit of a short command: a large file on a
      // slow link takes minutes.
      const limitMs = sudoWriteLimitMs(bytes.length, this.#timeoutMs);
      const [script, args] = writeScript(path, tempName(path), bytes.length, attributes);
      return this.#shell('write', path, hostScript(script, args, true, limitMs), bytes, {
        backstopMs: limitMs + INTERNAL_KILL_GRACE_MS + BACKSTOP_SLACK_MS,
        timedOut: () =>
          new DeployError(
            'executor_failed',
            `Could not write ${path} on ${this.host}: timed out after ${limitSeconds(limitMs)} s, the limit for ` +
              `${bytes.length} bytes through sudo (timeoutMs plus the size at ${WRITE_FLOOR_BYTES_PER_SECOND / 1024} KiB/s)`,
          ),
      });
    }
    let connection: SshConnection | undefined;
    try {
      connection = await this.#connect();
      const sftp = await this.#sftp(connection);
      const ids = await this.#accountsOf(connection).ids(attributes);
      await sftpWriteFile(sftp, path, bytes, attributes, ids, this.#leaveTempFile);
    } catch (error) {
      await this.#removeLeftTempFiles(connection);
      throw failed('write', path, error);
    }
  }

  /** {@inheritDoc Executor.mkdir} One exec: `mkdir -p`, then `chown` and `chmod`. */
  async mkdir(path: string, attributes: PathAttributes = {}): Promise<void> {
    checkPath(path);
    const commands = [...accountChecks(attributes), shellJoin(['mkdir', '-p', '--', path])];
    commands.push(...attributeCommands(path, attributes));
    await this.#shell('create the directory', path, this.#script(commands.join(' && ')));
  }

  /** {@inheritDoc Executor.setAttributes} One exec of `chown` and `chmod` (names resolved by the host). */
  async setAttributes(path: string, attributes: PathAttributes): Promise<void> {
    checkPath(path);
    const commands = attributeCommands(path, attributes);
    if (commands.length > 0) await this.#shell('set owner or mode of', path, this.#script(commands.join(' && ')));
  }

  /** {@inheritDoc Executor.symlink} A temp symlink renamed over `path`: over SFTP, or `ln -s` + `mv -T` under sudo. */
  async symlink(target: string, path: string): Promise<void> {
    checkPath(path);
    if (this.sudo) return this.#shell('link', path, this.#script(...symlinkScript(target, path, tempName(path))));
    let connection: SshConnection | undefined;
    try {
      connection = await this.#connect();
      await sftpSymlink(await this.#sftp(connection), target, path, this.#leaveTempFile);
    } catch (error) {
      await this.#removeLeftTempFiles(connection);
      throw failed('link', path, error);
    }
  }

  /**
   * Ends the connection (a connect still in progress is given up, its socket closed); later calls
   * reject. Idempotent. When a lost connection left a command running on the host (or a temp
   * file), it first connects again, up to `readyTimeoutMs`, to stop (or remove) it.
   */
  async close(): Promise<void> {
    if (!this.#closed && !this.#leftovers.empty) await this.#connect().catch(() => undefined);
    this.#closed = true;
    // A connect still waiting for the host gives up now instead of at its ready timeout.
    this.#closing.abort();
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
    const connection = await openConnection(resolved, this.#closing.signal);
    try {
      // Before anything else runs on the host: what a lost connection left there goes first.
      await this.#leftovers.sweep((line, backstopMs) => this.#exec(connection, line, { priority: true, backstopMs }));
    } catch (error) {
      await connection.close();
      throw failed('stop what a lost connection left running on', this.host, error);
    }
    return connection;
  }

  async #sftp(connection: SshConnection): Promise<SftpCalls> {
    const session = await connection.sftp();
    return new SftpCalls(session, () => {
      this.stats.sftpRequests += 1;
    });
  }

  /**
   * An SFTP session given up while its connection stays (a request went unanswered) may have left a
   * temp file: removed at once over the same connection, else by the next connection's sweep.
   */
  async #removeLeftTempFiles(connection: SshConnection | undefined): Promise<void> {
    if (connection === undefined || connection.lost !== undefined || this.#leftovers.empty) return;
    const exec = (line: string, backstopMs: number) => this.#exec(connection, line, { priority: true, backstopMs });
    await this.#leftovers.sweep(exec).catch(() => {});
  }

  #accountsOf(connection: SshConnection): RemoteAccounts {
    if (this.#accounts?.connection !== connection) {
      this.#accounts = { connection, accounts: new RemoteAccounts(this.host, (line) => this.#exec(connection, line)) };
    }
    return this.#accounts.accounts;
  }

  /** One of the executor's own scripts, as root through `sudo -n` for a {@link sudo} login. */
  #script(script: string, args: readonly string[] = []): string {
    return hostScript(script, args, this.sudo);
  }

  /** Runs one of the executor's own short command lines; its stdout, or a rejection with its output. */
  #exec(connection: SshConnection, line: string, options: ExecLineOptions = {}): Promise<string> {
    this.stats.execs += 1;
    const sudoRefusalOf = this.sudo ? (output: string) => sudoRefusal(this.host, this.username, output) : undefined;
    return execLine(connection, line, { ...options, sudoRefusal: sudoRefusalOf });
  }

  async #shell(
    what: string,
    path: string,
    line: string,
    stdin: string | Buffer = '',
    options: ExecLineOptions = {},
  ): Promise<void> {
    try {
      await this.#exec(await this.#connect(), line, { ...options, stdin });
    } catch (error) {
      throw shellFailure(what, path, this.host, error);
    }
  }
}
