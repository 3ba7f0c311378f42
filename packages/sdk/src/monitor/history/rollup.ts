import type Database from 'better-sqlite3';
import { aggregate, type BucketStats, decodeRaw, decodeSlots, encodeSlots } from './codec.ts';
import { prepareDayStats } from './day-stats.ts';
import { BUCKET_MS, BUCKETS_PER_HOUR, bucketOf, dayOf, hourOf, RETENTION_MS } from './time-buckets.ts';

/** What one rollup did. */
export interface RollupResult {
  /** Raw rows (target and 5 minutes) aggregated into 5-minute buckets. */
  buckets: number;
  /** Daily aggregates written. */
  days: number;
  /** Rows removed by retention: raw rows, hour rows, day rows, transitions. */
  pruned: number;
}

interface RawRow {
  target: number;
  bucket: number;
  data: Buffer;
}

/**
 * Prepares the rollup: aggregates raw rows written since the last run into their 5-minute
 * buckets, computes the daily aggregate of every day that got results and is over (see
 * `prepareDayStats`: from the raw results while they are all kept, else from the 5-minute
 * buckets, for a result that came in late), then applies retention. One transaction; running it
 * again changes nothing, and a late result (a probe that ended after its bucket was rolled up)
 * only marks its bucket for the next run.
 */
export function prepareRollup(db: Database.Database): (nowMs: number) => RollupResult {
  const sql = {
    unrolled: db.prepare<[number], RawRow>(
      'SELECT target, bucket, data FROM probes WHERE rolled = 0 AND bucket < ? ORDER BY target, bucket',
    ),
    markRolled: db.prepare<[number]>('UPDATE probes SET rolled = 1 WHERE rolled = 0 AND bucket < ?'),
    hourRow: db.prepare<[number, number], { data: Buffer }>('SELECT data FROM slots WHERE target = ? AND hour = ?'),
    putHour: db.prepare<[number, number, number, number, Buffer]>(
      `INSERT INTO slots (target, hour, checks, ok, data) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT DO UPDATE SET checks = excluded.checks, ok = excluded.ok, data = excluded.data`,
    ),
    markDay: db.prepare<[number, number]>('INSERT OR IGNORE INTO pending_days (target, day) VALUES (?, ?)'),
    dueDays: db.prepare<[number], { target: number; day: number }>(
      'SELECT target, day FROM pending_days WHERE day < ?',
    ),
    putDay: db.prepare<[number, number, number, number, number | null, number | null, number | null]>(
      `INSERT INTO days (target, day, checks, ok, p50, p95, max) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT DO UPDATE SET checks = excluded.checks, ok = excluded.ok, p50 = excluded.p50,
         p95 = excluded.p95, max = excluded.max`,
    ),
    doneDay: db.prepare<[number, number]>('DELETE FROM pending_days WHERE target = ? AND day = ?'),
    targetIds: db.prepare<[], number>('SELECT id FROM targets').pluck(),
    pruneRaw: db.prepare<[number, number]>('DELETE FROM probes WHERE target = ? AND bucket < ? AND rolled = 1'),
    pruneSlots: db.prepare<[number, number]>('DELETE FROM slots WHERE target = ? AND hour < ?'),
    pruneDays: db.prepare<[number, number]>('DELETE FROM days WHERE target = ? AND day < ?'),
    pruneTransitions: db.prepare<[number]>('DELETE FROM transitions WHERE at < ?'),
  };
  const dayStats = prepareDayStats(db);

  function rollBuckets(nowMs: number): number {
    const rows = sql.unrolled.all(bucketOf(nowMs));
    if (rows.length === 0) return 0;
    // Group by hour row, so each one is read and written once.
    const byHour = new Map<string, { target: number; hour: number; slots: Map<number, BucketStats> }>();
    for (const row of rows) {
      const stats = aggregate(decodeRaw(row.bucket * BUCKET_MS, row.data));
      const hour = Math.floor(row.bucket / BUCKETS_PER_HOUR);
      const key = `${row.target}:${hour}`;
      let entry = byHour.get(key);
      if (!entry) {
        const existing = sql.hourRow.get(row.target, hour);
        entry = { target: row.target, hour, slots: existing ? decodeSlots(existing.data) : new Map() };
        byHour.set(key, entry);
      }
      if (stats) entry.slots.set(row.bucket - hour * BUCKETS_PER_HOUR, stats);
    }
    const days = new Set<string>();
    for (const { target, hour, slots } of byHour.values()) {
      let checks = 0;
      let ok = 0;
      for (const slot of slots.values()) {
        checks += slot.checks;
        ok += slot.ok;
      }
      sql.putHour.run(target, hour, checks, ok, encodeSlots(slots));
      const day = Math.floor(hour / 24);
      if (!days.has(`${target}:${day}`)) sql.markDay.run(target, day);
      days.add(`${target}:${day}`);
    }
    // The rows just read, in one statement (the same transaction: nothing came in between).
    sql.markRolled.run(bucketOf(nowMs));
    return rows.length;
  }

  function rollDays(nowMs: number): number {
    const due = sql.dueDays.all(dayOf(nowMs));
    for (const { target, day } of due) {
      const stats = dayStats(target, day);
      if (stats) sql.putDay.run(target, day, stats.checks, stats.ok, stats.p50, stats.p95, stats.max);
      sql.doneDay.run(target, day);
    }
    return due.length;
  }

  // The cutoffs of the last prune: a run whose cutoffs have not moved has nothing to remove.
  let prunedAt: string | undefined;
  let pruning: string | undefined;

  function prune(nowMs: number): number {
    const rawBefore = bucketOf(nowMs - RETENTION_MS.raw);
    const hourBefore = hourOf(nowMs - RETENTION_MS['5m']);
    const dayBefore = dayOf(nowMs - RETENTION_MS['1d']);
    const cutoffs = `${rawBefore}:${hourBefore}:${dayBefore}`;
    if (cutoffs === prunedAt) return 0;
    pruning = cutoffs;
    let pruned = 0;
    // Per target, so each delete is a range of the primary key rather than a table scan.
    for (const id of sql.targetIds.all()) {
      pruned += sql.pruneRaw.run(id, rawBefore).changes;
      pruned += sql.pruneSlots.run(id, hourBefore).changes;
      pruned += sql.pruneDays.run(id, dayBefore).changes;
    }
    pruned += sql.pruneTransitions.run(nowMs - RETENTION_MS.transitions).changes;
    return pruned;
  }

  const run = db.transaction((nowMs: number): RollupResult => {
    const buckets = rollBuckets(nowMs);
    const days = rollDays(nowMs);
    return { buckets, days, pruned: prune(nowMs) };
  });
  return (nowMs) => {
    const result = run(nowMs);
    // Only once committed: a rolled-back prune must run again.
    prunedAt = pruning;
    return result;
  };
}
