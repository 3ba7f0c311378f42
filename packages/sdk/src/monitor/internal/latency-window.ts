import { bucketOf } from '../history/time-buckets.ts';
import { percentiles } from './percentile.ts';

/** 5-minute buckets in the window: 24 hours, the current bucket included (as for uptime). */
const WINDOW_BUCKETS = 288;

/**
 * The latencies of one target's probes over the last 24 hours, in memory, for its p50/p95:
 * a FIFO of whole milliseconds (2 bytes each; about 6 KB for a probe every 30 s) grouped by the
 * 5-minute bucket they arrived in, whole buckets leaving as the window moves. The percentiles
 * are computed on demand (a copy and a sort of at most a day of values) and cached until a new
 * probe arrives or the window moves. When the wall clock steps back, the buckets stamped after
 * the new time count as the new time's: they leave 24 hours after the step, rather than 24 hours
 * after a time the clock may take days to reach again, keeping every value added meanwhile.
 */
export class LatencyWindow {
  #values = new Uint16Array(64);
  #head = 0;
  #size = 0;
  /** [bucket, count] per bucket present, oldest first. */
  readonly #buckets: Array<[number, number]> = [];
  #cached: { bucket: number; p50: number | null; p95: number | null } | null = null;

  /** How many latencies the window holds now. */
  get size(): number {
    return this.#size;
  }

  /**
   * Adds one latency (ms), probed at `atMs` and arriving at `nowMs`; latencies older than the
   * window from there leave.
   * @param nowMs The time now. @default atMs
   */
  add(atMs: number, latencyMs: number, nowMs = atMs): void {
    const now = bucketOf(nowMs);
    this.#rebase(now);
    // A late result (a probe that outlived its bucket) joins the newest bucket: order stays FIFO.
    const bucket = Math.min(now, Math.max(bucketOf(atMs), this.#buckets.at(-1)?.[0] ?? Number.NEGATIVE_INFINITY));
    // Not only when the percentiles are read: a monitor nobody asks for them would keep every value.
    this.#evict(bucket);
    const last = this.#buckets.at(-1);
    if (last && last[0] === bucket) last[1] += 1;
    else this.#buckets.push([bucket, 1]);
    if (this.#size === this.#values.length) this.#grow();
    this.#values[(this.#head + this.#size) % this.#values.length] = Math.min(0xffff, Math.round(latencyMs));
    this.#size += 1;
    this.#cached = null;
  }

  /** p50 and p95 of the window ending at `nowMs`, nearest rank; null when it is empty. */
  percentiles(nowMs: number): { p50Ms: number | null; p95Ms: number | null } {
    const now = bucketOf(nowMs);
    this.#rebase(now);
    this.#evict(now);
    if (this.#cached?.bucket !== now) {
      const values = new Float64Array(this.#size);
      for (let index = 0; index < this.#size; index++) {
        values[index] = this.#values[(this.#head + index) % this.#values.length]!;
      }
      const [p50, p95] = percentiles(values, [0.5, 0.95]) as [number | null, number | null];
      this.#cached = { bucket: now, p50, p95 };
    }
    return { p50Ms: this.#cached.p50, p95Ms: this.#cached.p95 };
  }

  /** The clock stepped back before `nowBucket`: the buckets after it become one bucket at it. */
  #rebase(nowBucket: number): void {
    let ahead = 0;
    while ((this.#buckets.at(-1)?.[0] ?? nowBucket) > nowBucket) ahead += this.#buckets.pop()![1];
    if (ahead === 0) return;
    const last = this.#buckets.at(-1);
    if (last && last[0] === nowBucket) last[1] += ahead;
    else this.#buckets.push([nowBucket, ahead]);
    this.#cached = null;
  }

  #evict(nowBucket: number): void {
    while (this.#buckets.length > 0 && this.#buckets[0]![0] <= nowBucket - WINDOW_BUCKETS) {
      const [, count] = this.#buckets.shift()!;
      this.#head = (this.#head + count) % this.#values.length;
      this.#size -= count;
      this.#cached = null;
    }
  }

  #grow(): void {
    const next = new Uint16Array(this.#values.length * 2);
    for (let index = 0; index < this.#size; index++)
      next[index] = this.#values[(this.#head + index) % this.#values.length]!;
    this.#values = next;
    this.#head = 0;
  }
}
