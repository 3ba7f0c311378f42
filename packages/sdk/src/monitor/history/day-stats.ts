import type Database from 'better-sqlite3';
import { aggregate, type BucketStats, decodeRaw, decodeSlots, type RawResult } from './codec.ts';
import { BUCKET_MS, BUCKETS_PER_DAY } from './time-buckets.ts';

/**
 * Prepares the computation of a day's aggregate, for a day whose 5-minute buckets are all rolled
 * up. From its raw results while they are all kept: exact. A result up to 48 h late (a push
 * check's) can reach a day whose other raw results retention already removed; the day is not
 * rebuilt from those that are left then (a day of 1,440 checks would become 61) but from its
 * 5-minute buckets, which hold every result: checks, good checks and max are exact, and p50/p95
 * stay those computed when the day's raw results were all there (a few late results move a
 * day's ranks by as many places at most).
 */
export function prepareDayStats(db: Database.Database): (target: number, day: number) => BucketStats | null {
  const sql = {
    raw: db.prepare<[number, number, number], { bucket: number; data: Buffer }>(
      'SELECT bucket, data FROM probes WHERE target = ? AND bucket >= ? AND bucket < ?',
    ),
    hours: db.prepare<[number, number, number], { data: Buffer }>(
      'SELECT data FROM slots WHERE target = ? AND hour >= ? AND hour < ?',
    ),
    stored: db.prepare<[number, number], Pick<BucketStats, 'p50' | 'p95'>>(
      'SELECT p50, p95 FROM days WHERE target = ? AND day = ?',
    ),
  };

  return (target, day) => {
    const results: RawResult[] = [];
    const first = day * BUCKETS_PER_DAY;
    for (const row of sql.raw.all(target, first, first + BUCKETS_PER_DAY)) {
      results.push(...decodeRaw(row.bucket * BUCKET_MS, row.data));
    }
    const fromRaw = aggregate(results);
    const fromSlots = slotTotals(sql.hours.all(target, day * 24, (day + 1) * 24));
    // Every result of the day is still raw (or, a day older than 30 days, its buckets are gone).
    if (fromSlots.checks <= results.length) return fromRaw;
    const stored = sql.stored.get(target, day);
    return {
      checks: fromSlots.checks,
      ok: fromSlots.ok,
      p50: stored?.p50 ?? fromRaw?.p50 ?? null,
      p95: stored?.p95 ?? fromRaw?.p95 ?? null,
      max: fromSlots.max,
    };
  };
}

/** Checks, good checks and the largest latency of a day's hour rows. */
function slotTotals(rows: ReadonlyArray<{ data: Buffer }>): { checks: number; ok: number; max: number | null } {
  let checks = 0;
  let ok = 0;
  let max: number | null = null;
  for (const row of rows) {
    for (const slot of decodeSlots(row.data).values()) {
      checks += slot.checks;
      ok += slot.ok;
      if (slot.max !== null && (max === null || slot.max > max)) max = slot.max;
    }
  }
  return { checks, ok, max };
}
