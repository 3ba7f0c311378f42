import type { InputAttributes, SFTPWrapper, Stats } from 'ssh2';
import type { SftpCallback, SftpSession } from './sftp-session.ts';

/**
 * ssh2's callback SFTP calls that file writes need, as promises. Each rejects once the session is
 * gone (see {@link SftpSession}): none waits for an answer that cannot come.
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

  #call<T>(start: (sftp: SFTPWrapper, callback: SftpCallback<T>) => void): Promise<T> {
    if (!this.#session.gone) this.#onRequest();
    return this.#session.call(start);
  }

  /** What is at `path`, not following a symlink; `undefined` when nothing is. */
  async lstat(path: string): Promise<Stats | undefined> {
    try {
      return await this.#call<Stats>((sftp, callback) => sftp.lstat(path, callback));
    } catch (error) {
      if ((error as { code?: unknown }).code === 2) return undefined; // SSH_FX_NO_SUCH_FILE
      throw error;
    }
  }

  /** Creates `path`, failing if it exists. */
  create(path: string, mode: number): Promise<Buffer> {
    return this.#call((sftp, callback) => sftp.open(path, 'wx', { mode }, callback));
  }

  /** Writes all of `data` at offset 0 (ssh2 splits it into packets). */
  write(handle: Buffer, data: Buffer): Promise<void> {
    if (data.length === 0) return Promise.resolve();
    return this.#call((sftp, callback) => sftp.write(handle, data, 0, data.length, 0, callback));
  }

  fsetstat(handle: Buffer, attributes: InputAttributes): Promise<void> {
    return this.#call((sftp, callback) => sftp.fsetstat(handle, attributes, callback));
  }

  setstat(path: string, attributes: InputAttributes): Promise<void> {
    return this.#call((sftp, callback) => sftp.setstat(path, attributes, callback));
  }

  /** `fsync@openssh.com`; `false` when the server does not offer it. */
  async fsync(handle: Buffer): Promise<boolean> {
    try {
      await this.#call((sftp, callback) => sftp.ext_openssh_fsync(handle, callback));
      return true;
    } catch (error) {
      if (/does not support/.test((error as Error).message)) return false;
      throw error;
    }
  }

  closeHandle(handle: Buffer): Promise<void> {
    return this.#call((sftp, callback) => sftp.close(handle, callback));
  }

  /** `posix-rename@openssh.com`: rename(2), which replaces `to` atomically (plain SFTP rename refuses to). */
  rename(from: string, to: string): Promise<void> {
    return this.#call((sftp, callback) => sftp.ext_openssh_rename(from, to, callback));
  }

  symlink(target: string, path: string): Promise<void> {
    return this.#call((sftp, callback) => sftp.symlink(target, path, callback));
  }

  unlink(path: string): Promise<void> {
    return this.#call((sftp, callback) => sftp.unlink(path, callback));
  }
}
