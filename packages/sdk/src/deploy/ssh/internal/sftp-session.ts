import type { SFTPWrapper } from 'ssh2';

/** ssh2's callback of an SFTP request. */
export type SftpCallback<T> = (error: Error | null | undefined, value?: T) => void;

/** What {@link SftpSession} is told by its connection. */
export interface SftpSessionOptions {
  /**
   * Why the session is gone: the connection's loss if it is lost, else its channel's close
   * (`cause` undefined) or an SFTP protocol error (`cause`).
   */
  goneError: (cause: Error | undefined) => Error;
  /** Called once when the session is gone, so that the next file operation opens a new one. */
  onGone: () => void;
  /**
   * How long one request may go unanswered, in ms: then the session is given up (failed with
   * `stalledError` and its channel closed), so a host whose SFTP server hangs never holds a call.
   */
  timeoutMs: number;
  /** Why the session was given up: `request` (e.g. `write`) got no answer within `timeoutMs`. */
  stalledError: (request: string) => Error;
}

/**
 * One SFTP session (a channel of the connection) that knows when it is gone. ssh2 keeps a request
 * made after the channel closed and never calls it back, and fails one in flight with a bare "No
 * response from server": here every request rejects instead, at once once the session is gone,
 * with why it went (the connection's loss, the channel's close, an SFTP protocol error). Nor does
 * ssh2 give up on a request the host never answers (keepalive only sees the connection, which
 * stays up when just the host's SFTP server hangs): a request unanswered for `timeoutMs` gives the
 * session up, closing its channel.
 */
export class SftpSession {
  readonly #sftp: SFTPWrapper;
  readonly #options: SftpSessionOptions;
  #gone: Error | undefined;
  readonly #pending = new Set<(error: Error) => void>();

  constructor(sftp: SFTPWrapper, options: SftpSessionOptions) {
    this.#sftp = sftp;
    this.#options = options;
    const closed = (): void => this.fail(options.goneError(undefined));
    sftp.on('end', closed);
    sftp.on('close', closed);
    // ssh2 emits 'error' for a broken SFTP stream (then closes the channel): unheard, it would crash.
    sftp.on('error', (error: Error) => this.fail(options.goneError(error)));
  }

  /** Why the session can no longer be used, or `undefined` while it can. */
  get gone(): Error | undefined {
    return this.#gone;
  }

  /**
   * Sends one `request` (its name, for errors): `start` calls ssh2 with the callback. Rejects at
   * once when the session is gone, as soon as it goes before the answer, and when no answer came
   * within `timeoutMs` (the session is then given up).
   */
  call<T>(request: string, start: (sftp: SFTPWrapper, callback: SftpCallback<T>) => void): Promise<T> {
    if (this.#gone) return Promise.reject(this.#gone);
    return new Promise<T>((resolve, reject) => {
      const deadline = setTimeout(() => this.#stalled(request), this.#options.timeoutMs);
      const fail = (error: Error): void => {
        clearTimeout(deadline);
        reject(error);
      };
      this.#pending.add(fail);
      try {
        start(this.#sftp, (error, value) => {
          clearTimeout(deadline);
          if (!this.#pending.delete(fail)) return;
          if (!error) return resolve(value as T);
          // ssh2 fails the requests in flight just before it reports the channel's end: let that
          // end, or the connection's loss, be the reason.
          queueMicrotask(() => reject(this.#gone ?? error));
        });
      } catch (error) {
        // ssh2 throws synchronously for an extension the server lacks.
        clearTimeout(deadline);
        this.#pending.delete(fail);
        reject(error);
      }
    });
  }

  /** The session is gone: every request in flight, and every later one, rejects with `error`. */
  fail(error: Error): void {
    if (this.#gone) return;
    this.#gone = error;
    for (const reject of [...this.#pending]) reject(error);
    this.#pending.clear();
    this.#options.onGone();
  }

  /** `request` got no answer in time: the session is failed, and its channel closed. */
  #stalled(request: string): void {
    this.fail(this.#options.stalledError(request));
    // The server may still answer later: ssh2 then calls back requests that were already rejected.
    this.#sftp.end();
  }
}
