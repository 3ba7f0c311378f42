/** What one item of a batch came to: its value, or the error that fails it alone. */
export type ItemOutcome<O> = { value: O } | { error: unknown };

/** Options of {@link Coalescer}. */
export interface CoalescerOptions<I, O> {
  /**
   * Runs a batch of items in one go and settles each: an outcome per item, in order. A rejection
   * fails every item of the batch with that error.
   */
  run: (items: I[]) => Promise<ItemOutcome<O>[]>;
  /**
   * Batches running at once; items submitted while all are busy wait for the next. Beyond the
   * first, a batch starts only when the waiting items fill it.
   */
  maxInFlight: number;
  /** Most items in one batch. */
  maxItems: number;
  /**
   * Whether `item` may join `batch`; an item that may not waits (in its place in line) for a later
   * batch. Every item may join an empty batch. While a batch is gathered, `batch` is one array that
   * only grows (by the items admitted), so a check may keep what it summed of it. @default every item joins
   */
  canJoin?: (batch: readonly I[], item: I) => boolean;
}

interface Waiting<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (error: unknown) => void;
}

/**
 * Natural batching: an item submitted while no batch runs goes at once (no timer, no added
 * latency when idle); items that arrive while one runs gather and go together as soon as it
 * ends, or at once in another batch (up to `maxInFlight`) when they fill one. Under load, N concurrent requests cost one round trip instead
 * of N; idle, each request costs what it did alone.
 */
export class Coalescer<I, O> {
  readonly #options: CoalescerOptions<I, O>;
  #queue: Waiting<I, O>[] = [];
  #inFlight = 0;

  constructor(options: CoalescerOptions<I, O>) {
    this.#options = options;
  }

  /** Resolves with the item's value once its batch has run (rejects with its error). */
  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      this.#next();
    });
  }

  #next(): void {
    while (this.#inFlight < this.#options.maxInFlight && this.#queue.length > 0) {
      const batch = this.#take();
      // A second batch while one runs only when this one is full (items are left over): a few
      // requests wait for the running statement and go together, which costs the database less
      // than two statements side by side.
      if (this.#inFlight > 0 && this.#queue.length === 0) {
        this.#queue.unshift(...batch);
        return;
      }
      this.#inFlight++;
      void this.#runBatch(batch).finally(() => {
        this.#inFlight--;
        this.#next();
      });
    }
  }

  /** The next batch: waiting items in order, skipping (and keeping) those that may not join. */
  #take(): Waiting<I, O>[] {
    const { maxItems, canJoin } = this.#options;
    if (!canJoin) return this.#queue.splice(0, maxItems);
    const batch: Waiting<I, O>[] = [];
    const items: I[] = [];
    const left: Waiting<I, O>[] = [];
    for (const waiting of this.#queue) {
      if (batch.length < maxItems && (batch.length === 0 || canJoin(items, waiting.item))) {
        batch.push(waiting);
        items.push(waiting.item);
      } else left.push(waiting);
    }
    this.#queue = left;
    return batch;
  }

  async #runBatch(batch: Waiting<I, O>[]): Promise<void> {
    let outcomes: ItemOutcome<O>[];
    try {
      outcomes = await this.#options.run(batch.map((waiting) => waiting.item));
    } catch (error) {
      for (const waiting of batch) waiting.reject(error);
      return;
    }
    batch.forEach((waiting, i) => {
      const outcome = outcomes[i];
      if (outcome === undefined) waiting.reject(new Error('the batch returned no outcome for this item'));
      else if ('error' in outcome) waiting.reject(outcome.error);
      else waiting.resolve(outcome.value);
    });
  }
}
