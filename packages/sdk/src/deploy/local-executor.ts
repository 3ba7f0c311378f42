import { chmod, chown, mkdir, open, rename, symlink, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Command, Executor, PathAttributes, PathInfo, ProbeRequest, RunOptions, RunResult } from './executor.ts';
import { LocalAccounts } from './internal/accounts.ts';
import { DEFAULT_KILL_GRACE_MS, DEFAULT_MAX_OUTPUT_BYTES, DEFAULT_TIMEOUT_MS } from './internal/executor-defaults.ts';
import { failed } from './internal/executor-failure.ts';
import { probeLocal } from './internal/local-probe.ts';
import { readFileByProbe, statByProbe } from './internal/probe-reads.ts';
import { underRoot } from './internal/root-path.ts';
import { spawnCommand } from './internal/spawn-command.ts';
import { tempName } from './internal/temp-name.ts';

/** Options of {@link LocalExecutor}. */
export interface LocalExecutorOptions {
  /**
   * The directory that stands for the host's `/`: step paths, `cwd` and probes are mapped under
   * it. Tests use a temp directory. Commands still run on this machine as they are written, and
   * symlink targets are stored as written.
   * @default '/'
   */
  root?: string;
  /** The host name results and events show. @default 'local' */
  host?: string;
  /** Default command timeout. @default 300_000 */
  timeoutMs?: number;
  /** Between SIGTERM and SIGKILL of a timed-out command's process group. @default 5_000 */
  killGraceMs?: number;
  /** Bytes of a command's output kept (its tail). @default 65_536 */
  maxOutputBytes?: number;
}

/**
 * The machine this process runs on, as a deploy host: commands are child processes in their own
 * process group (killed whole on timeout), files are written with node:fs.
 *
 * @example
 * const executor = new LocalExecutor({ root: await mkdtemp(join(tmpdir(), 'host-')) });
 */
export class LocalExecutor implements Executor {
  /** The host name results and events show. */
  readonly host: string;
  /** The directory that stands for the host's `/`. */
  readonly root: string;
  readonly #timeoutMs: number;
  readonly #killGraceMs: number;
  readonly #maxOutputBytes: number;

  constructor(options: LocalExecutorOptions = {}) {
    this.root = options.root ?? '/';
    this.host = options.host ?? 'local';
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#killGraceMs = options.killGraceMs ?? DEFAULT_KILL_GRACE_MS;
    this.#maxOutputBytes = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  }

  /** Where the host path `path` is on this machine. */
  hostPath(path: string): string {
    return underRoot(this.root, path);
  }

  /** {@inheritDoc Executor.run} */
  async run(command: Command, options: RunOptions = {}): Promise<RunResult> {
    const accounts = new LocalAccounts();
    const user = options.user === undefined ? undefined : accounts.user(options.user);
    return spawnCommand(command, {
      env: options.env ?? {},
      cwd: this.hostPath(options.cwd ?? '/'),
      timeoutMs: options.timeoutMs ?? this.#timeoutMs,
      killGraceMs: this.#killGraceMs,
      maxOutputBytes: this.#maxOutputBytes,
      ...(user === undefined ? {} : { uid: user.uid }),
      ...(user?.gid === undefined ? {} : { gid: user.gid }),
      ...(options.input === undefined ? {} : { input: options.input }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
  }

  /** {@inheritDoc Executor.probe} */
  async probe(requests: readonly ProbeRequest[]): Promise<PathInfo[]> {
    const accounts = new LocalAccounts();
    return Promise.all(
      requests.map(async (request) => {
        const file = this.hostPath(request.path);
        try {
          return await probeLocal(request.path, file, accounts, request);
        } catch (error) {
          throw failed('probe', request.path, error);
        }
      }),
    );
  }

  /** {@inheritDoc Executor.stat} */
  stat(path: string): Promise<PathInfo> {
    return statByProbe(this, path);
  }

  /** {@inheritDoc Executor.readFile} */
  readFile(path: string): Promise<string | undefined> {
    return readFileByProbe(this, path);
  }

  /** {@inheritDoc Executor.writeFile} */
  async writeFile(path: string, content: string | Uint8Array, attributes: PathAttributes = {}): Promise<void> {
    const file = this.hostPath(path);
    const temp = tempName(file);
    try {
      const existing = await this.stat(path);
      const keep = existing.exists && existing.type === 'file' ? existing : undefined;
      const handle = await open(temp, 'wx', 0o600);
      try {
        await handle.writeFile(content, 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      await this.#applyAttributes(temp, {
        mode: attributes.mode ?? keep?.mode ?? 0o644,
        ...(attributes.owner !== undefined ? { owner: attributes.owner } : keep ? { owner: keep.uid } : {}),
        ...(attributes.group !== undefined ? { group: attributes.group } : keep ? { group: keep.gid } : {}),
      });
      await rename(temp, file);
      await syncDirectory(dirname(file));
    } catch (error) {
      await unlink(temp).catch(() => {});
      throw failed('write', path, error);
    }
  }

  /** {@inheritDoc Executor.mkdir} */
  async mkdir(path: string, attributes: PathAttributes = {}): Promise<void> {
    const directory = this.hostPath(path);
    try {
      await mkdir(directory, { recursive: true });
      await this.#applyAttributes(directory, attributes);
    } catch (error) {
      throw failed('create the directory', path, error);
    }
  }

  /** {@inheritDoc Executor.setAttributes} */
  async setAttributes(path: string, attributes: PathAttributes): Promise<void> {
    try {
      await this.#applyAttributes(this.hostPath(path), attributes);
    } catch (error) {
      throw failed('set owner or mode of', path, error);
    }
  }

  /** {@inheritDoc Executor.symlink} */
  async symlink(target: string, path: string): Promise<void> {
    const link = this.hostPath(path);
    const temp = tempName(link);
    try {
      await symlink(target, temp);
      // rename(2) replaces the old link itself, never what it points to: `mv -T`.
      await rename(temp, link);
      await syncDirectory(dirname(link));
    } catch (error) {
      await unlink(temp).catch(() => {});
      throw failed('link', path, error);
    }
  }

  /** Nothing to release for the local machine. */
  async close(): Promise<void> {}

  async #applyAttributes(file: string, attributes: PathAttributes): Promise<void> {
    if (attributes.owner !== undefined || attributes.group !== undefined) {
      const accounts = new LocalAccounts();
      const uid = attributes.owner === undefined ? -1 : accounts.user(attributes.owner).uid;
      const gid = attributes.group === undefined ? -1 : accounts.gid(attributes.group);
      await chown(file, uid, gid);
    }
    // chmod after chown: chown clears setuid/setgid bits.
    if (attributes.mode !== undefined) await chmod(file, attributes.mode);
  }
}

async function syncDirectory(directory: string): Promise<void> {
  // Makes the rename durable; some file systems refuse fsync on a directory, which is no error here.
  const handle = await open(directory, 'r').catch(() => undefined);
  await handle?.sync().catch(() => {});
  await handle?.close();
}
