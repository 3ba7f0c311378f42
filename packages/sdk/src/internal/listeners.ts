/**
 * A set of listeners called after a write committed. A listener that throws is skipped: the write
 * already happened, and one failing listener must not fail it or starve the others.
 */
export class Listeners<T> {
  readonly #listeners = new Set<(value: T) => void>();

  /** Whether anyone listens (callers skip building values nobody reads). */
  get size(): number {
    return this.#listeners.size;
  }

  /** Adds a listener; returns the function that removes it. */
  add(listener: (value: T) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** Calls every listener with `value`. */
  emit(value: T): void {
    for (const listener of this.#listeners) {
      try {
        listener(value);
      } catch {
        // The value is committed; a listener's failure is its own.
      }
    }
  }

  /** Removes every listener. */
  clear(): void {
    this.#listeners.clear();
  }
}
