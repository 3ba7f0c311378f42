interface Waiting {
  key: string;
  start: () => void;
  drop: (reason: unknown) => void;
}

/**
 * Runs tasks with at most `total` at once overall and `perKey` at once per key (a host), first
 * come first served among the tasks that may start.
 */
export class ConcurrencyLimiter {
  readonly #total: number;
  readonly #perKey: number;
  readonly #running = new Map<string, number>();
  #active = 0;
  #queue: Waiting[] = [];

  constructor(total: number, perKey: number) {
    this.#total = Math.max(1, total);
    this.#perKey = Math.max(1, perKey);
  }

  /** Tasks running now. */
  get active(): number {
    return this.#active;
  }

  /** Runs `task` once a slot for `key` is free; resolves or rejects as it does. */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const start = () => {
        this.#active += 1;
        this.#running.set(key, (this.#running.get(key) ?? 0) + 1);
        task()
          .then(resolve, reject)
          .finally(() => this.#release(key));
      };
      if (this.#mayStart(key)) start();
      else this.#queue.push({ key, start, drop: reject });
    });
  }

  /**
   * Drops every task still waiting for a slot: none of them will start, and each promise
   * {@link run} returned for them rejects with `reason`. Tasks running now go on.
   */
  dropWaiting(reason: unknown): void {
    const dropped = this.#queue;
    this.#queue = [];
    for (const waiting of dropped) waiting.drop(reason);
  }

  #mayStart(key: string): boolean {
    return this.#active < this.#total && (this.#running.get(key) ?? 0) < this.#perKey;
  }

  #release(key: string): void {
    this.#active -= 1;
    const left = (this.#running.get(key) ?? 1) - 1;
    if (left === 0) this.#running.delete(key);
    else this.#running.set(key, left);
    // Start every waiting task that may run now, oldest first.
    for (let index = 0; index < this.#queue.length && this.#active < this.#total; ) {
      const waiting = this.#queue[index]!;
      if (this.#mayStart(waiting.key)) {
        this.#queue.splice(index, 1);
        waiting.start();
      } else index += 1;
    }
  }
}
