import type { InputAttributes, SFTPWrapper, Stats } from 'ssh2';

/** ssh2's callback SFTP calls that file writes need, as promises. */
export class SftpCalls {
  readonly #sftp: SFTPWrapper;
  readonly #onRequest: () => void;

  /** @param onRequest Called once per request sent, to count round trips. */
  constructor(sftp: SFTPWrapper, onRequest: () => void) {
    this.#sftp = sftp;
    this.#onRequest = onRequest;
  }

  #call<T>(start: (callback: (error: Error | null | undefined, value?: T) => void) => void): Promise<T> {
    this.#onRequest();
    return new Promise((resolve, reject) => {
      try {
        start((error, value) => (error ? reject(error) : resolve(value as T)));
      } catch (error) {
        // ssh2 throws synchronously for an extension the server lacks.
        reject(error);
      }
    });
  }

  /** What is at `path`, not following a symlink; `undefined` when nothing is. */
  async lstat(path: string): Promise<Stats | undefined> {
    try {
      return await this.#call<Stats>((callback) => this.#sftp.lstat(path, callback));
    } catch (error) {
      if ((error as { code?: unknown }).code === 2) return undefined; // SSH_FX_NO_SUCH_FILE
      throw error;
    }
  }

  /** Creates `path`, failing if it exists. */
  create(path: string, mode: number): Promise<Buffer> {
    return this.#call((callback) => this.#sftp.open(path, 'wx', { mode }, callback));
  }

  /** Writes all of `data` at offset 0 (ssh2 splits it into packets). */
  write(handle: Buffer, data: Buffer): Promise<void> {
    if (data.length === 0) return Promise.resolve();
    return this.#call((callback) => this.#sftp.write(handle, data, 0, data.length, 0, callback));
  }

  fsetstat(handle: Buffer, attributes: InputAttributes): Promise<void> {
    return this.#call((callback) => this.#sftp.fsetstat(handle, attributes, callback));
  }

  setstat(path: string, attributes: InputAttributes): Promise<void> {
    return this.#call((callback) => this.#sftp.setstat(path, attributes, callback));
  }

  /** `fsync@openssh.com`; `false` when the server does not offer it. */
  async fsync(handle: Buffer): Promise<boolean> {
    try {
      await this.#call((callback) => this.#sftp.ext_openssh_fsync(handle, callback));
      return true;
    } catch (error) {
      if (/does not support/.test((error as Error).message)) return false;
      throw error;
    }
  }

  closeHandle(handle: Buffer): Promise<void> {
    return this.#call((callback) => this.#sftp.close(handle, callback));
  }

  /** `posix-rename@openssh.com`: rename(2), which replaces `to` atomically (plain SFTP rename refuses to). */
  rename(from: string, to: string): Promise<void> {
    return this.#call((callback) => this.#sftp.ext_openssh_rename(from, to, callback));
  }

  symlink(target: string, path: string): Promise<void> {
    return this.#call((callback) => this.#sftp.symlink(target, path, callback));
  }

  unlink(path: string): Promise<void> {
    return this.#call((callback) => this.#sftp.unlink(path, callback));
  }
}
