import { toIso } from '../../internal/iso-time.ts';
import type { ServiceDetail, StateTransition, TargetState, TargetStatus } from '../../schemas/monitor.ts';
import type { ReportIncident, ReportTarget } from '../fleet-report.ts';

/** One stretch of time in one state. */
interface Segment {
  state: TargetState;
  /** When the state began (may be before the period). */
  startMs: number;
  /** When it ended; the period's end while it lasts. */
  endMs: number;
  ongoing: boolean;
  reason: string | null;
}

/**
 * The state segments of a target over [sinceMs, untilMs] from its transitions (newest first, as
 * the monitor gives them). Without a transition before the period, the state at its start is the
 * first transition's `from` (or, with none at all, the state now).
 */
function segments(
  transitions: readonly StateTransition[],
  stateNow: TargetState,
  sinceMs: number,
  untilMs: number,
): Segment[] {
  const ordered = transitions
    .map((transition) => ({ ...transition, atMs: Date.parse(transition.at) }))
    .filter((transition) => transition.atMs <= untilMs)
    .sort((a, b) => a.atMs - b.atMs);
  const before = ordered.filter((transition) => transition.atMs <= sinceMs).at(-1);
  const within = ordered.filter((transition) => transition.atMs > sinceMs);
  let current: Omit<Segment, 'endMs' | 'ongoing'> = before
    ? { state: before.to, startMs: before.atMs, reason: before.reason }
    : { state: within[0]?.from ?? stateNow, startMs: sinceMs, reason: null };
  const result: Segment[] = [];
  for (const transition of within) {
    result.push({ ...current, endMs: transition.atMs, ongoing: false });
    current = { state: transition.to, startMs: transition.atMs, reason: transition.reason };
  }
  result.push({ ...current, endMs: untilMs, ongoing: true });
  return result;
}

/** Milliseconds of `segment` inside [sinceMs, untilMs]. */
function overlap(segment: Segment, sinceMs: number, untilMs: number): number {
  return Math.max(0, Math.min(segment.endMs, untilMs) - Math.max(segment.startMs, sinceMs));
}

/**
 * A target's part of the report: uptime over the period from its history buckets (every probe in
 * them made in the period: see `historyInPeriod`), and its down and degraded time and incidents
 * from its state transitions. `partial` when the transitions may not reach back to the period's
 * start (the monitor caps them), when the detail is missing, or when `coarseEdge` (a day bucket
 * at an edge of the period was counted whole: the monitor no longer keeps its 5-minute buckets).
 */
export function targetReport(
  status: TargetStatus,
  detail: ServiceDetail | undefined,
  sinceMs: number,
  untilMs: number,
  maxTransitions: number,
  coarseEdge = false,
): ReportTarget {
  let checks = 0;
  let ok = 0;
  for (const bucket of detail?.history ?? []) {
    checks += bucket.checks;
    ok += bucket.ok;
  }
  const transitions = detail?.transitions ?? [];
  const reachesBack = transitions.some((transition) => Date.parse(transition.at) <= sinceMs);
  const parts = segments(transitions, status.state, sinceMs, untilMs);
  let downMs = 0;
  let degradedMs = 0;
  const incidents: ReportIncident[] = [];
  for (const segment of parts) {
    const inPeriod = overlap(segment, sinceMs, untilMs);
    if (segment.state === 'degraded') degradedMs += inPeriod;
    if (segment.state !== 'down') continue;
    downMs += inPeriod;
    incidents.push({
      start: toIso(segment.startMs),
      end: segment.ongoing ? null : toIso(segment.endMs),
      durationMs: Math.max(0, segment.endMs - segment.startMs),
      reason: segment.reason,
    });
  }
  return {
    id: status.id,
    kind: status.kind,
    host: status.host,
    state: status.state,
    uptime: checks === 0 ? null : ok / checks,
    checks,
    downMs,
    degradedMs,
    incidents,
    partial: detail === undefined || coarseEdge || (!reachesBack && transitions.length >= maxTransitions),
  };
}
