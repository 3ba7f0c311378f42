/**
 * Channels one connection has open at once. OpenSSH refuses more sessions than its `MaxSessions`
 * (10 by default) with "open failed": one is kept for the SFTP session, and one of the rest for
 * priority requests (stopping an aborted command), so that a stop never waits behind the commands
 * it is meant to stop.
 */
export const MAX_CHANNELS = 9;

interface Waiter {
  priority: boolean;
  grant(): void;
  fail(error: Error): void;
}

/** A first-come queue for a connection's channels, priority requests served first. */
export class ChannelSlots {
  readonly #max: number;
  #inUse = 0;
  #failed: Error | undefined;
  readonly #waiting: Waiter[] = [];

  constructor(max = MAX_CHANNELS) {
    this.#max = max;
  }

  /**
   * Resolves `true` once a channel may be opened (call {@link release} when it closes), or `false`
   * if `signal` is aborted first (then nothing is held). Rejects once the connection has failed.
   */
  acquire(priority: boolean, signal?: AbortSignal): Promise<boolean> {
    if (signal?.aborted) return Promise.resolve(false);
    if (this.#failed) return Promise.reject(this.#failed);
    if (this.#fits(priority)) {
      this.#inUse += 1;
      return Promise.resolve(true);
    }
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        this.#waiting.splice(this.#waiting.indexOf(waiter), 1);
        resolve(false);
      };
      const waiter: Waiter = {
        priority,
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          this.#inUse += 1;
          resolve(true);
        },
        fail: (error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiting.push(waiter);
    });
  }

  /** Gives back a channel {@link acquire} granted, and lets the next waiter in. */
  release(): void {
    this.#inUse -= 1;
    for (const priority of [true, false]) {
      for (let index = 0; index < this.#waiting.length; ) {
        const waiter = this.#waiting[index]!;
        if (waiter.priority === priority && this.#fits(priority)) {
          this.#waiting.splice(index, 1);
          waiter.grant();
        } else index += 1;
      }
    }
  }

  /** The connection is gone: every waiter, and every later {@link acquire}, rejects with `error`. */
  fail(error: Error): void {
    this.#failed = error;
    for (const waiter of this.#waiting.splice(0)) waiter.fail(error);
  }

  #fits(priority: boolean): boolean {
    return this.#inUse < (priority ? this.#max : this.#max - 1);
  }
}
