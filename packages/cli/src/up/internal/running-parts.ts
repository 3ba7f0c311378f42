/** A part of a local fleet: a server or an agent, stopped with `close()`. */
export interface Part {
  close(): Promise<void>;
}

/**
 * The parts of a local fleet that run. Stopping stops every one of them, even when one fails to
 * stop; a part that cannot start stops the others and its own error is the one thrown.
 */
export class RunningParts {
  readonly #stops: Array<() => Promise<void>> = [];
  readonly #onStopError: (error: unknown) => void;

  /** `onStopError` hears a failure to stop while a failed start is being cleaned up (never thrown). */
  constructor(onStopError: (error: unknown) => void = () => {}) {
    this.#onStopError = onStopError;
  }

  /**
   * Starts one part and records it. When it cannot start, stops every part already running and
   * rethrows the start error: a failure to stop goes to `onStopError`, so it never hides the cause.
   */
  async start<T extends Part>(starting: () => Promise<T>): Promise<T> {
    let part: T;
    try {
      part = await starting();
    } catch (error) {
      await this.stopAll().catch(this.#onStopError);
      throw error;
    }
    this.#stops.push(() => part.close());
    return part;
  }

  /**
   * Stops every part, the last started first (agents before what they talk to). Each is stopped
   * even when an earlier one fails; then the failure is thrown, an `AggregateError` when several.
   */
  async stopAll(): Promise<void> {
    const errors: unknown[] = [];
    for (const stop of this.#stops.splice(0).reverse()) {
      try {
        await stop();
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) {
      const messages = errors.map((error) => (error instanceof Error ? error.message : String(error)));
      throw new AggregateError(errors, `${errors.length} parts failed to stop: ${messages.join('; ')}`);
    }
  }
}
