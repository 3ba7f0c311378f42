import type Database from 'better-sqlite3';
import { aggregate, type BucketStats, decodeRaw, decodeSlots, type RawResult } from './codec.ts';
import { BUCKET_MS, BUCKETS_PER_DAY, BUCKETS_PER_HOUR, bucketOf, DAY_MS, dayOf, hourOf } from './time-buckets.ts';

/** A bucket's start (epoch ms) and its aggregates. */
export interface StatsAt {
  startMs: number;
  stats: BucketStats;
}

interface BlobRow {
  key: number;
  data: Buffer;
}

/** Read queries over the history tables, per target id. Ranges are `[fromMs, toMs)`. */
export function prepareHistoryQueries(db: Database.Database) {
  const sql = {
    raw: db.prepare<[number, number, number], BlobRow>(
      'SELECT bucket AS key, data FROM probes WHERE target = ? AND bucket >= ? AND bucket <= ? ORDER BY bucket',
    ),
    unrolled: db.prepare<[number, number, number], BlobRow>(
      // Without statistics the planner would walk the primary key through every kept bucket.
      `SELECT bucket AS key, data FROM probes INDEXED BY probes_unrolled
       WHERE target = ? AND bucket >= ? AND bucket <= ? AND rolled = 0 ORDER BY bucket`,
    ),
    hourTotals: db.prepare<[number, number, number], { hour: number; checks: number; ok: number }>(
      'SELECT hour, checks, ok FROM slots WHERE target = ? AND hour >= ? AND hour <= ? ORDER BY hour',
    ),
    hours: db.prepare<[number, number, number], BlobRow>(
      'SELECT hour AS key, data FROM slots WHERE target = ? AND hour >= ? AND hour <= ? ORDER BY hour',
    ),
    days: db.prepare<[number, number, number], BucketStats & { day: number }>(
      'SELECT day, checks, ok, p50, p95, max FROM days WHERE target = ? AND day >= ? AND day <= ? ORDER BY day',
    ),
  };

  /** Raw rows overlapping the range, by bucket number. */
  function rawRows(target: number, fromMs: number, toMs: number): Map<number, RawResult[]> {
    const rows = new Map<number, RawResult[]>();
    for (const row of sql.raw.all(target, bucketOf(fromMs), bucketOf(toMs - 1))) {
      rows.set(row.key, decodeRaw(row.key * BUCKET_MS, row.data));
    }
    return rows;
  }

  /**
   * 5-minute aggregates by bucket number: from the rollups, and from the raw results for buckets
   * not rolled up yet (the current one, late results). Both are exact and computed alike, so
   * where they meet nothing changes; reading rollups is what keeps a 24 h series cheap.
   */
  function bucketStats(target: number, fromMs: number, toMs: number): Map<number, BucketStats> {
    const first = bucketOf(fromMs);
    const last = bucketOf(toMs - 1);
    const buckets = new Map<number, BucketStats>();
    for (const row of sql.hours.all(target, hourOf(fromMs), hourOf(toMs - 1))) {
      for (const [index, stats] of decodeSlots(row.data)) {
        const bucket = row.key * BUCKETS_PER_HOUR + index;
        if (bucket >= first && bucket <= last) buckets.set(bucket, stats);
      }
    }
    for (const row of sql.unrolled.all(target, first, last)) {
      const stats = aggregate(decodeRaw(row.key * BUCKET_MS, row.data));
      if (stats) buckets.set(row.key, stats);
    }
    return buckets;
  }

  return {
    /** Raw results in the range, oldest first. */
    raw(target: number, fromMs: number, toMs: number): RawResult[] {
      const results: RawResult[] = [];
      for (const list of rawRows(target, fromMs, toMs).values()) {
        for (const result of list) if (result.at >= fromMs && result.at < toMs) results.push(result);
      }
      // A probe that outlived its bucket's next one was appended late: restore time order.
      return results.sort((a, b) => a.at - b.at);
    },

    /** 5-minute buckets overlapping the range, oldest first. */
    fiveMinutes(target: number, fromMs: number, toMs: number): StatsAt[] {
      return [...bucketStats(target, fromMs, toMs)]
        .sort(([a], [b]) => a - b)
        .map(([bucket, stats]) => ({ startMs: bucket * BUCKET_MS, stats }));
    },

    /** Days overlapping the range, oldest first; days not rolled up yet come from raw results. */
    days(target: number, fromMs: number, toMs: number): StatsAt[] {
      const firstDay = dayOf(fromMs);
      const lastDay = dayOf(toMs - 1);
      const days = new Map<number, BucketStats>();
      for (const { day, ...stats } of sql.days.all(target, firstDay, lastDay)) days.set(day, stats);
      const recent = new Map<number, RawResult[]>();
      for (const [bucket, results] of rawRows(target, firstDay * DAY_MS, (lastDay + 1) * DAY_MS)) {
        const day = Math.floor(bucket / BUCKETS_PER_DAY);
        if (days.has(day)) continue;
        const list = recent.get(day) ?? [];
        list.push(...results);
        recent.set(day, list);
      }
      for (const [day, results] of recent) {
        const stats = aggregate(results);
        if (stats) days.set(day, stats);
      }
      return [...days].sort(([a], [b]) => a - b).map(([day, stats]) => ({ startMs: day * DAY_MS, stats }));
    },

    /** Raw rows (bucket number, packed results) in the range, oldest first; with `unrolled`, only those not rolled up yet. */
    rawRows(target: number, fromMs: number, toMs: number, unrolled = false): Array<{ bucket: number; data: Buffer }> {
      return (unrolled ? sql.unrolled : sql.raw)
        .all(target, bucketOf(fromMs), bucketOf(toMs - 1))
        .map((row) => ({ bucket: row.key, data: row.data }));
    },

    /** Checks and good checks of each rolled-up hour in the range, oldest first. */
    hourTotals(target: number, fromMs: number, toMs: number): Array<{ hour: number; checks: number; ok: number }> {
      return sql.hourTotals.all(target, hourOf(fromMs), hourOf(toMs - 1));
    },

    /** Hour rows of 5-minute aggregates (hour number, packed slots) in the range, oldest first. */
    hourRows(target: number, fromMs: number, toMs: number): Array<{ hour: number; data: Buffer }> {
      return sql.hours.all(target, hourOf(fromMs), hourOf(toMs - 1)).map((row) => ({ hour: row.key, data: row.data }));
    },
  };
}

/** The queries {@link prepareHistoryQueries} returns. */
export type HistoryQueries = ReturnType<typeof prepareHistoryQueries>;
