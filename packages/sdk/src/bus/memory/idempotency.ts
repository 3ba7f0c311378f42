import type { IdempotencyRecord } from '../internal/send-plan.ts';

function mapKey(from: string, key: string): string {
  return `${from}\u0000${key}`;
}

/** The idempotency keys of the in-memory store, by sender and key. */
export class MemoryIdempotency {
  readonly #records = new Map<string, IdempotencyRecord>();

  /** The stored key for (from, key), if any; the send planner checks the window itself. */
  get(from: string, key: string): IdempotencyRecord | undefined {
    return this.#records.get(mapKey(from, key));
  }

  /** Stores a key (replacing an expired one of the same sender and name). */
  save(record: IdempotencyRecord): void {
    this.#records.set(mapKey(record.from, record.key), record);
  }

  /** The sweep's part: drops the keys older than the window at `now`. */
  prune(now: number, windowSeconds: number): void {
    const windowMs = windowSeconds * 1000;
    for (const [key, record] of this.#records) {
      if (now - record.at >= windowMs) this.#records.delete(key);
    }
  }
}
