/**
 * Runs the monitor's rollup on a timer (unref'd: it does not keep the process alive). A rollup
 * that fails is reported to `logger` and the timer goes on.
 */
export class RollupTimer {
  readonly #rollup: () => unknown;
  readonly #logger: Pick<Console, 'warn'> | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(rollup: () => unknown, logger: Pick<Console, 'warn'> | undefined) {
    this.#rollup = rollup;
    this.#logger = logger;
  }

  /** Runs a rollup now, then every `everyMs` (never again when 0). */
  start(everyMs: number): void {
    this.#safeRollup();
    if (everyMs > 0) {
      this.#timer = setInterval(() => this.#safeRollup(), everyMs);
      this.#timer.unref();
    }
  }

  /** Stops the timer. */
  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #safeRollup(): void {
    try {
      this.#rollup();
    } catch (error) {
      this.#logger?.warn('fleet monitor: rollup failed:', error);
    }
  }
}
