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
 * The bounds of one retention pass over the oldest events, `seq < upper`: it deletes those older
 * than `minAt`, and those at or below `cutoff` (beyond the newest `auditMaxEvents`; -1: none).
 */
export interface PrunePass {
  upper: number;
  minAt: number;
  cutoff: number;
}

/**
 * The next retention pass over a trail spanning `span`. The count cut is arithmetic: the newest
 * `auditMaxEvents` seqs end at `high`. On SQLite seqs have no gaps, so this is exact; on PostgreSQL
 * a seq a rolled-back write skipped counts as one of them, so the trail keeps at most
 * `auditMaxEvents` events (fewer by such gaps), never more. (Counting them off the index,
 * `ORDER BY seq DESC OFFSET n`, read 100,000 entries on every sweep of a full trail.)
 */
export function prunePass(span: AuditSpan, now: number, auditMaxAgeSeconds: number, auditMaxEvents: number): PrunePass {
  return {
    upper: span.low + AUDIT_PRUNE_BATCH,
    minAt: now - auditMaxAgeSeconds * 1000,
    cutoff: span.high - span.low + 1 > auditMaxEvents ? span.high - auditMaxEvents : -1,
  };
}

/**
 * Whether events past a pass's window are due too, so the sweep runs another pass: the count cut
 * reaches past it, or the first event past it (`firstAtPast`, its `at`; null when the window
 * reached the end of the trail) is older than the maximum age. Seq order is time order but for a
 * clock set back, and an event that is older than it looks is removed by a later sweep.
 */
export function prunesPastWindow(pass: PrunePass, firstAtPast: number | null): boolean {
  if (firstAtPast === null) return false;
  return pass.cutoff >= pass.upper || firstAtPast < pass.minAt;
}
