import type { InputAttributes, SFTPWrapper, Stats } from 'ssh2';
import type { SftpCallback, SftpSession } from './sftp-session.ts';

/** Bytes of one write request: each gets its own deadline, so a large file is bounded per chunk, not as a whole. */
const WRITE_CHUNK_BYTES = 1 << 20;

/**
 * ssh2's callback SFTP calls that file writes need, as promises. Each rejects once the session is
 * gone or the host leaves a request unanswered too long (see {@link SftpSession}): none waits for
 * an answer that cannot come.
 */
export class SftpCalls {
  readonly #session: SftpSession;
  readonly #onRequest: () => void;

  /** @param onRequest Called once per request sent, to count round trips. */
  constructor(session: SftpSession, onRequest: () => void) {
    this.#session = session;
    this.#onRequest = onRequest;
  }

  /** Why the session can no longer be used (the connection lost, ...), or `undefined` while it can. */
  get gone(): Error | undefined {
    return this.#session.gone;
  }

  #call<T>(request: string, start: (sftp: SFTPWrapper, callback: SftpCallback<T>) => void): Promise<T> {
    if (!this.#session.gone) this.#onRequest();
    return this.#session.call(request, start);
  }

  /** What is at `path`, not following a symlink; `undefined` when nothing is. */
  async lstat(path: string): Promise<Stats | undefined> {
    try {
      return await this.#call<Stats>('lstat', (sftp, callback) => sftp.lstat(path, callback));
    } catch (error) {
      if ((error as { code?: unknown }).code === 2) return undefined; // SSH_FX_NO_SUCH_FILE
      throw error;
    }
  }

  /** Creates `path`, failing if it exists. */
  create(path: string, mode: number): Promise<Buffer> {
    return this.#call('open', (sftp, callback) => sftp.open(path, 'wx', { mode }, callback));
  }

  /**
   * Writes all of `data` at offset 0, one request per {@link WRITE_CHUNK_BYTES} (ssh2 splits each
   * into packets and sends them one after another, as it would the whole file).
   */
  async write(handle: Buffer, data: Buffer): Promise<void> {
    for (let offset = 0; offset < data.length; offset += WRITE_CHUNK_BYTES) {
      const length = Math.min(WRITE_CHUNK_BYTES, data.length - offset);
      await this.#call('write', (sftp, callback) => sftp.write(handle, data, offset, length, offset, callback));
    }
  }

  fsetstat(handle: Buffer, attributes: InputAttributes): Promise<void> {
    return this.#call('fsetstat', (sftp, callback) => sftp.fsetstat(handle, attributes, callback));
  }

  setstat(path: string, attributes: InputAttributes): Promise<void> {
    return this.#call('setstat', (sftp, callback) => sftp.setstat(path, attributes, callback));
  }

  /** `fsync@openssh.com`; `false` when the server does not offer it. */
  async fsync(handle: Buffer): Promise<boolean> {
    try {
      await this.#call('fsync', (sftp, callback) => sftp.ext_openssh_fsync(handle, callback));
      return true;
    } catch (error) {
      if (/does not support/.test((error as Error).message)) return false;
      throw error;
    }
  }

  closeHandle(handle: Buffer): Promise<void> {
    return this.#call('close', (sftp, callback) => sftp.close(handle, callback));
  }

  /** `posix-rename@openssh.com`: rename(2), which replaces `to` atomically (plain SFTP rename refuses to). */
  rename(from: string, to: string): Promise<void> {
    return this.#call('rename', (sftp, callback) => sftp.ext_openssh_rename(from, to, callback));
  }

  symlink(target: string, path: string): Promise<void> {
    return this.#call('symlink', (sftp, callback) => sftp.symlink(target, path, callback));
  }

  unlink(path: string): Promise<void> {
    return this.#call('unlink', (sftp, callback) => sftp.unlink(path, callback));
  }
}
