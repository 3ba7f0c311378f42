import type { Uptime } from '../../schemas/monitor.ts';
import { bucketOf, hourOf } from '../history/time-buckets.ts';

// Slots of each ring: one more than the longest window, so the current (partial) slot and a
// full window both fit.
const FINE_SLOTS = 24 * 12 + 1;
const HOUR_SLOTS = 30 * 24 + 1;

/** A ring of (checks, good checks) counters, one slot per time unit. */
class CounterRing {
  readonly #tags: Float64Array;
  readonly #checks: Uint32Array;
  readonly #ok: Uint32Array;

  constructor(size: number) {
    this.#tags = new Float64Array(size).fill(-1);
    this.#checks = new Uint32Array(size);
    this.#ok = new Uint32Array(size);
  }

  add(unit: number, checks: number, ok: number): void {
    const index = unit % this.#tags.length;
    const tag = this.#tags[index]!;
    // A slot is reused for a newer unit; counts for a unit older than the slot's are too old to keep.
    if (tag > unit) return;
    if (tag < unit) {
      this.#tags[index] = unit;
      this.#checks[index] = 0;
      this.#ok[index] = 0;
    }
    this.#checks[index] = this.#checks[index]! + checks;
    this.#ok[index] = this.#ok[index]! + ok;
  }

  /** Good checks / checks over the `units` units ending with `current`; null when none. */
  fraction(current: number, units: number): number | null {
    let checks = 0;
    let ok = 0;
    for (let index = 0; index < this.#tags.length; index++) {
      const tag = this.#tags[index]!;
      if (tag > current - units && tag <= current) {
        checks += this.#checks[index]!;
        ok += this.#ok[index]!;
      }
    }
    return checks === 0 ? null : ok / checks;
  }
}

/**
 * In-memory uptime counters of one target, so statuses are answered without touching the
 * database: 5-minute slots for the 1 h and 24 h windows, hourly slots for 7 d and 30 d. A window
 * is measured in whole slots, the current one included (1 h covers the last 12 five-minute
 * buckets, 30 d the last 720 hours). Filled from the history on start, then per probe.
 */
export class UptimeCounters {
  readonly #fine = new CounterRing(FINE_SLOTS);
  readonly #hourly = new CounterRing(HOUR_SLOTS);

  /** Counts one probe. */
  add(atMs: number, ok: boolean): void {
    this.#fine.add(bucketOf(atMs), 1, ok ? 1 : 0);
    this.#hourly.add(hourOf(atMs), 1, ok ? 1 : 0);
  }

  /** Counts a whole 5-minute bucket (loading history). */
  addBucket(bucket: number, checks: number, ok: number): void {
    this.#fine.add(bucket, checks, ok);
    this.#hourly.add(Math.floor(bucket / 12), checks, ok);
  }

  /** Counts a whole hour (loading history older than the 5-minute ring). */
  addHour(hour: number, checks: number, ok: number): void {
    this.#hourly.add(hour, checks, ok);
  }

  /** Uptime fractions at `nowMs`. */
  uptime(nowMs: number): Uptime {
    const bucket = bucketOf(nowMs);
    const hour = hourOf(nowMs);
    return {
      '1h': this.#fine.fraction(bucket, 12),
      '24h': this.#fine.fraction(bucket, 288),
      '7d': this.#hourly.fraction(hour, 7 * 24),
      '30d': this.#hourly.fraction(hour, 30 * 24),
    };
  }
}
