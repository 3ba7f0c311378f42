/** What the ready queue orders by. */
export interface Queued {
  priority: number;
  /** Insertion order; unique per store. */
  seq: number;
}

function before(a: Queued, b: Queued): boolean {
  return a.priority > b.priority || (a.priority === b.priority && a.seq < b.seq);
}

/**
 * One recipient's ready messages in delivery order: priority descending, then insertion order.
 * A message that comes back (nack, lease expiry, redrive) regains its original place.
 */
export class ReadyQueue<T extends Queued> implements Iterable<T> {
  #items: T[] = [];

  /** How many messages are queued. */
  get size(): number {
    return this.#items.length;
  }

  /** Adds a message at its place in delivery order. */
  insert(item: T): void {
    this.#items.splice(this.#indexOf(item), 0, item);
  }

  /** Removes a message; false when it was not queued. */
  remove(item: T): boolean {
    const index = this.#indexOf(item);
    if (this.#items[index] !== item) return false;
    this.#items.splice(index, 1);
    return true;
  }

  /** The messages in delivery order (a snapshot: safe to remove while iterating). */
  [Symbol.iterator](): Iterator<T> {
    return [...this.#items][Symbol.iterator]();
  }

  // First index whose item does not come before `item` (binary search).
  #indexOf(item: T): number {
    let low = 0;
    let high = this.#items.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (before(this.#items[mid]!, item)) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}
