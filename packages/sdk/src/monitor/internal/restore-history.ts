import { countRaw, decodeRaw, forEachSlotCount } from '../history/codec.ts';
import type { HistoryQueries } from '../history/history-query.ts';
import {
  BUCKET_MS,
  BUCKETS_PER_HOUR,
  bucketOf,
  DAY_MS,
  HOUR_MS,
  hourOf,
  RETENTION_MS,
} from '../history/time-buckets.ts';
import type { LatencyWindow } from './latency-window.ts';
import type { UptimeCounters } from './uptime-counters.ts';

/**
 * Fills a target's in-memory figures from its history: uptime counters from the rollups (hour
 * totals for 30 days, 5-minute buckets for the last day) and the raw results of buckets not
 * rolled up yet; the latency window from the timed raw results of the last 24 hours. Reading rollups
 * rather than 48 hours of raw results keeps a restart with 300 targets short.
 */
export function restoreHistory(
  queries: HistoryQueries,
  id: number,
  nowMs: number,
  counters: UptimeCounters,
  latency: LatencyWindow,
): void {
  const fromMs = nowMs - RETENTION_MS['5m'];
  const toMs = nowMs + DAY_MS;
  const unrolled = new Map<number, { checks: number; ok: number }>();
  for (const { bucket, data } of queries.rawRows(id, fromMs, toMs, true)) unrolled.set(bucket, countRaw(data));
  // Hours the 5-minute ring covers, and hours with results after their rollup, are read bucket
  // by bucket; older hours by their totals.
  const fineFrom = hourOf(nowMs) - 25;
  const fineHours = new Set([...unrolled.keys()].map((bucket) => Math.floor(bucket / BUCKETS_PER_HOUR)));
  for (const { hour, checks, ok } of queries.hourTotals(id, fromMs, fineFrom * HOUR_MS)) {
    if (!fineHours.has(hour)) counters.addHour(hour, checks, ok);
  }
  for (const hour of fineHours) if (hour < fineFrom) addFineHours(queries, id, hour, hour + 1, unrolled, counters);
  addFineHours(queries, id, fineFrom, hourOf(toMs) + 1, unrolled, counters);
  for (const [bucket, { checks, ok }] of unrolled) counters.addBucket(bucket, checks, ok);

  const latencyFrom = (bucketOf(nowMs) - 287) * BUCKET_MS;
  for (const { bucket, data } of queries.rawRows(id, latencyFrom, toMs)) {
    for (const result of decodeRaw(bucket * BUCKET_MS, data))
      if (result.timed) latency.add(result.at, result.latencyMs, nowMs);
  }
}

/** Adds the 5-minute buckets of hours `[fromHour, toHour)`, except those counted from raw results. */
function addFineHours(
  queries: HistoryQueries,
  id: number,
  fromHour: number,
  toHour: number,
  unrolled: ReadonlyMap<number, unknown>,
  counters: UptimeCounters,
): void {
  for (const { hour, data } of queries.hourRows(id, fromHour * HOUR_MS, toHour * HOUR_MS)) {
    forEachSlotCount(data, (index, checks, ok) => {
      const bucket = hour * BUCKETS_PER_HOUR + index;
      if (!unrolled.has(bucket)) counters.addBucket(bucket, checks, ok);
    });
  }
}
