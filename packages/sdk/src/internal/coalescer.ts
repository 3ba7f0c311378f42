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
   * first, a batch starts only when the waiting items fill it, or (with `maxWaitMs`) once its
   * items have waited a quarter to a half of `maxWaitMs`: the running batch is slow.
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
  /**
   * Longest an item waits in line for its batch to start: one still waiting then (every slot busy)
   * fails with `waitedTooLong()`, never having run, after between 3/4 of this and all of it (one timer ticks
   * four times per `maxWaitMs` while items wait; an item notes the tick it came in). @default no limit
   */
  maxWaitMs?: number;
  /** The error of the items that waited `maxWaitMs` (one call per tick, shared by its items). */
  waitedTooLong?: () => unknown;
  /**
   * Whether a batch that rejected with `error` fails the items waiting in line too, at once and with
   * that error, never having run: for an error that says any batch would fail now (the database is
   * unreachable), where running them one batch after another would add up the waits. Items
   * submitted afterwards run as usual. @default no error does
   */
  failsWaiting?: (error: unknown) => boolean;
}

interface Waiting<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (error: unknown) => void;
  /** The expiry tick it came in at. */
  tick: number;
}

/** Ticks of the expiry timer per `maxWaitMs`: the finer, the closer to it an item fails. */
const TICKS_PER_WAIT = 4;

/**
 * Natural batching: an item submitted while no batch runs goes at once (no timer, no added
 * latency when idle); items that arrive while one runs gather and go together as soon as it
 * ends, or at once in another batch (up to `maxInFlight`) when they fill one. Under load, N
 * concurrent requests cost one round trip instead of N; idle, each request costs what it did alone.
 * A wait in line is bounded (`maxWaitMs`), and a batch that hit an error every batch would hit
 * (`failsWaiting`) fails the line with it, however long the line.
 */
export class Coalescer<I, O> {
  readonly #options: CoalescerOptions<I, O>;
  #queue: Waiting<I, O>[] = [];
  #inFlight = 0;
  /**
   * Ticks `TICKS_PER_WAIT` times per `maxWaitMs` while items wait (stops at a tick that finds none):
   * an item reads a counter, not the clock (measured: a clock read per item made a busy coalescer
   * a quarter slower).
   */
  #ticker: NodeJS.Timeout | undefined;
  #tick = 0;

  constructor(options: CoalescerOptions<I, O>) {
    this.#options = options;
  }

  /** Resolves with the item's value once its batch has run (rejects with its error). */
  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.#queue.push({ item, resolve, reject, tick: this.#tick });
      this.#next();
      if (this.#ticker === undefined && this.#queue.length > 0) this.#startTicker();
    });
  }

  /** Starts batches while slots are free; `unfilled`: a batch beside a running one need not be full. */
  #next(unfilled = false): void {
    while (this.#inFlight < this.#options.maxInFlight && this.#queue.length > 0) {
      const batch = this.#take();
      // A second batch while one runs only when this one is full (items are left over): a few
      // requests wait for the running statement and go together, which costs the database less
      // than two statements side by side; unless the running one is plainly slow (`unfilled`).
      if (this.#inFlight > 0 && this.#queue.length === 0 && !unfilled) {
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
      if (this.#options.failsWaiting?.(error)) this.#failWaiting(() => error, Number.POSITIVE_INFINITY);
      return;
    }
    batch.forEach((waiting, i) => {
      const outcome = outcomes[i];
      if (outcome === undefined) waiting.reject(new Error('the batch returned no outcome for this item'));
      else if ('error' in outcome) waiting.reject(outcome.error);
      else waiting.resolve(outcome.value);
    });
  }

  /**
   * Fails, with `error()` (called once), the waiting items that came in at tick `lastTick` or
   * before. They never ran: none was in a batch, so nothing of theirs was written.
   */
  #failWaiting(error: () => unknown, lastTick: number): void {
    let failed: unknown;
    const left: Waiting<I, O>[] = [];
    for (const waiting of this.#queue) {
      if (waiting.tick <= lastTick) {
        failed ??= error();
        waiting.reject(failed);
      } else left.push(waiting);
    }
    this.#queue = left;
  }

  #startTicker(): void {
    const { maxWaitMs, waitedTooLong } = this.#options;
    if (maxWaitMs === undefined) return;
    // Only the item just submitted waits (the ticker stops when none does). An item that came in
    // at tick t, now or before the next tick, has waited at least TICKS_PER_WAIT - 1 periods, and
    // at most TICKS_PER_WAIT, when tick t + TICKS_PER_WAIT comes.
    this.#ticker = setInterval(() => {
      this.#tick++;
      // An item that waited a whole tick or more waits for a batch that is slow, not for a database
      // that is away (a lock, a long statement): a free slot takes it rather than let it expire.
      const waitedLong = this.#tick - 2;
      if (this.#queue.some((waiting) => waiting.tick <= waitedLong)) this.#next(true);
      this.#failWaiting(waitedTooLong ?? (() => new Error('waited too long for a batch')), this.#tick - TICKS_PER_WAIT);
      if (this.#queue.length === 0) {
        clearInterval(this.#ticker);
        this.#ticker = undefined;
      }
    }, maxWaitMs / TICKS_PER_WAIT);
    // Waiting items keep nothing alive by themselves: the batch they wait for does.
    this.#ticker.unref();
  }
}
