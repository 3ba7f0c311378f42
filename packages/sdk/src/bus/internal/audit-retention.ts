/**
 * How many of the oldest audit events one retention pass considers for deletion (SQLite and
 * PostgreSQL): a pass is one short write, and a sweep runs passes until the trail is within its
 * limits, so a backlog never blocks the event loop or holds locks for long.
 */
export const AUDIT_PRUNE_BATCH = 10_000;

/** The lowest and highest seq in the audit trail (both set, or the trail is empty). */
export interface AuditSpan {
  low: number;
  high: number;
}

/**
 * One retention pass over the oldest events, `seq < upper`. Retention only ever removes the front
 * of the trail (a prefix in seq order), so the trail never has holes: what it holds is complete
 * from its first event on. The pass removes the events before the first one younger than `minAt`,
 * and those at or below `cutoff` (beyond the newest `auditMaxEvents`; -1: none).
 */
export interface PrunePass {
  upper: number;
  minAt: number;
  cutoff: number;
}

/**
 * The next retention pass over a trail spanning `span`. The count cut is arithmetic: the newest
 * `auditMaxEvents` seqs end at `high`. On SQLite seqs have no gaps (each is one past the highest,
 * and retention removes only a prefix), so this is exact; on PostgreSQL a seq a rolled-back write
 * skipped counts as one of them, so the trail keeps at most `auditMaxEvents` events (fewer by such
 * gaps), never more. (Counting them off the index, `ORDER BY seq DESC OFFSET n`, read 100,000
 * entries on every sweep of a full trail.)
 */
export function prunePass(span: AuditSpan, now: number, auditMaxAgeSeconds: number, auditMaxEvents: number): PrunePass {
  return {
    upper: span.low + AUDIT_PRUNE_BATCH,
    minAt: now - auditMaxAgeSeconds * 1000,
    cutoff: span.high - span.low + 1 > auditMaxEvents ? span.high - auditMaxEvents : -1,
  };
}

/**
 * Where a pass's prefix ends (it removes `seq < end`): at the first event of its window younger
 * than `minAt` (`firstYoung`; null when the window has none), or past `cutoff` when that is later,
 * and never past the window. An event older than the maximum age behind a younger one (the clock
 * was set back) stays until the younger one goes.
 */
export function prefixEnd(pass: PrunePass, firstYoung: number | null): number {
  return Math.min(pass.upper, Math.max(firstYoung ?? pass.upper, pass.cutoff + 1));
}

/**
 * Whether the sweep runs another pass: this one removed its whole window (`end`, from
 * {@link prefixEnd}), and past it the count cut goes on or the first event (`firstAtPast`, its
 * `at`; null when the window reached the end of the trail) is older than the maximum age.
 */
export function prunesPastWindow(pass: PrunePass, end: number, firstAtPast: number | null): boolean {
  if (end < pass.upper || firstAtPast === null) return false;
  return pass.cutoff >= pass.upper || firstAtPast < pass.minAt;
}
