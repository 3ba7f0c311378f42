import { invalidField } from '../../internal/invalid-field.ts';
import { toIso } from '../../internal/iso-time.ts';
import type { HistoryBucket, HistoryResolution } from '../../schemas/monitor.ts';
import type { HistoryRange } from '../fleet-monitor-options.ts';
import type { StatsAt } from '../history/history-query.ts';
import type { HistoryStore } from '../history/history-store.ts';
import { DAY_MS, HOUR_MS, RETENTION_MS } from '../history/time-buckets.ts';

/** Longest range served from raw results, and from 5-minute buckets, when no resolution is asked for. */
const RAW_SPAN_MS = 6 * HOUR_MS;
const FIVE_MINUTE_SPAN_MS = 8 * DAY_MS;

/** A range with its instants as epoch ms and its resolution chosen. */
export interface ResolvedRange {
  fromMs: number;
  toMs: number;
  resolution: HistoryResolution;
}

/**
 * Turns a {@link HistoryRange} into numbers; throws `FleetError('validation_failed')` naming the
 * field for an unreadable instant or `from >= to`.
 */
export function resolveRange(range: HistoryRange, nowMs: number): ResolvedRange {
  const toMs = range.to === undefined ? nowMs : instant(range.to, 'to');
  const fromMs = range.from === undefined ? toMs - DAY_MS : instant(range.from, 'from');
  if (fromMs >= toMs) {
    const to = range.to === undefined ? `now (${toIso(toMs)})` : `to (${toIso(toMs)})`;
    throw invalidField('from', `${toIso(fromMs)} must be before ${to}`);
  }
  return { fromMs, toMs, resolution: range.resolution ?? chooseResolution(fromMs, toMs, nowMs) };
}

/** The finest resolution still kept for the whole range that gives a readable series. */
function chooseResolution(fromMs: number, toMs: number, nowMs: number): HistoryResolution {
  const span = toMs - fromMs;
  if (span <= RAW_SPAN_MS && fromMs >= nowMs - RETENTION_MS.raw) return 'raw';
  if (span <= FIVE_MINUTE_SPAN_MS && fromMs >= nowMs - RETENTION_MS['5m']) return '5m';
  return '1d';
}

function instant(value: number | string, name: string): number {
  const ms = typeof value === 'number' ? value : Date.parse(value);
  if (!Number.isFinite(ms)) throw invalidField(name, `not a time: ${String(value)}`);
  return ms;
}

// Bucket starts repeat across targets (a dashboard reads the same 24 hours of every target):
// convert each once. Bounded: cleared when it grows past a few days of 5-minute starts.
const isoCache = new Map<number, string>();
function bucketIso(ms: number): string {
  let iso = isoCache.get(ms);
  if (iso === undefined) {
    if (isoCache.size >= 4096) isoCache.clear();
    iso = new Date(ms).toISOString();
    isoCache.set(ms, iso);
  }
  return iso;
}

/** The history series of one target, oldest first (buckets without probes are left out). */
export function historySeries(store: HistoryStore, name: string, range: ResolvedRange): HistoryBucket[] {
  const id = store.idOf(name);
  const { fromMs, toMs, resolution } = range;
  const queries = store.queries;
  if (resolution === 'raw') {
    return queries.raw(id, fromMs, toMs).map((result) => {
      // A probe without a correct answer (refused, timed out, a wrong status) has no response time to show.
      const latencyMs = result.timed ? result.latencyMs : null;
      return {
        start: toIso(result.at),
        resolution,
        checks: 1,
        ok: result.ok ? 1 : 0,
        p50Ms: latencyMs,
        p95Ms: latencyMs,
        maxMs: latencyMs,
      };
    });
  }
  const series: StatsAt[] =
    resolution === '5m' ? queries.fiveMinutes(id, fromMs, toMs) : queries.days(id, fromMs, toMs);
  return series.map(({ startMs, stats }) => ({
    start: bucketIso(startMs),
    resolution,
    checks: stats.checks,
    ok: stats.ok,
    p50Ms: stats.p50,
    p95Ms: stats.p95,
    maxMs: stats.max,
  }));
}
