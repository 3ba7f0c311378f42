import type { HistoryBucket } from '@fleet/sdk';

/** Reads a target's history over `[fromMs, toMs)`; usually `monitor.history(id, { from, to, resolution: '5m' })`. */
export type HistoryReader = (id: string, fromMs: number, toMs: number) => HistoryBucket[];

/** Options of {@link RecentHistory}. */
export interface RecentHistoryOptions {
  /** How far back the overview's uptime bars reach, in ms. @default 86400000 (24 h) */
  spanMs?: number;
  /**
   * How long a target's series is reused before it is read again, in ms. A state change of the
   * target invalidates it at once.
   * @default 60000
   */
  refreshMs?: number;
  /** Clock, epoch ms. @default Date.now */
  now?: () => number;
}

/**
 * The recent history of every target, for the overview's uptime bars. The overview is rendered on
 * every live update; reading 24 hours of history per target each time would cost one query per
 * target per update, so each series is kept for `refreshMs` (a bar of 48 half-hour segments
 * barely moves in a minute) unless the target changed state.
 */
export class RecentHistory {
  readonly #read: HistoryReader;
  readonly #spanMs: number;
  readonly #refreshMs: number;
  readonly #now: () => number;
  readonly #series = new Map<string, { atMs: number; buckets: HistoryBucket[] }>();

  constructor(read: HistoryReader, options: RecentHistoryOptions = {}) {
    this.#read = read;
    this.#spanMs = options.spanMs ?? 86_400_000;
    this.#refreshMs = options.refreshMs ?? 60_000;
    this.#now = options.now ?? Date.now;
  }

  /** The series of each of `ids`, read again where older than `refreshMs`; forgets other targets. */
  get(ids: readonly string[]): Record<string, HistoryBucket[]> {
    const now = this.#now();
    const result: Record<string, HistoryBucket[]> = {};
    const wanted = new Set(ids);
    for (const id of this.#series.keys()) if (!wanted.has(id)) this.#series.delete(id);
    for (const id of ids) {
      let entry = this.#series.get(id);
      if (!entry || now - entry.atMs >= this.#refreshMs) {
        entry = { atMs: now, buckets: this.#read(id, now - this.#spanMs, now) };
        this.#series.set(id, entry);
      }
      result[id] = entry.buckets;
    }
    return result;
  }

  /** Makes the next {@link get} read the target's series again. */
  invalidate(id: string): void {
    this.#series.delete(id);
  }
}
