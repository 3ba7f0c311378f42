import { type AuditLimits, prefixEnd, prunePass, prunesPastWindow } from '../internal/audit-retention.ts';
import type { PgTransaction } from './transaction.ts';

/**
 * One audit retention pass on PostgreSQL: drops the oldest events, up to the first one younger
 * than the maximum age or past the newest `auditMaxEvents`, whichever is later, and at most the
 * oldest `AUDIT_PRUNE_BATCH` (a prefix of what had committed when it looked); true when events past
 * them are due too (the sweep runs another pass, in its own short transaction). `audit_retention`
 * keeps when the newest removed event happened (what `audit()` reports as `prunedThrough`).
 */
export async function pruneAuditPass(tx: PgTransaction, now: number, limits: AuditLimits): Promise<boolean> {
  const [span] = await tx.rows<{ low: number | null; high: number | null }>(
    'SELECT min(seq) AS low, max(seq) AS high FROM audit',
  );
  if (span?.low == null || span.high == null) return false;
  const pass = prunePass({ low: span.low, high: span.high }, now, limits);
  const [young] = await tx.rows<{ seq: number | null }>(
    'SELECT min(seq) AS seq FROM audit WHERE seq < $1 AND at >= $2',
    [pass.upper, pass.minAt],
  );
  const end = prefixEnd(pass, young?.seq ?? null);
  // Most sweeps find nothing to remove: the oldest event is young enough and within the count.
  if (end <= span.low) return false;
  // The DELETE checks each row again: an event another replica's transaction wrote with a lower
  // seq, committed after the query above, is young and stays (READ COMMITTED: each statement
  // sees what has committed when it starts).
  const [pruned] = await tx.rows<{ first_at_past: number | null }>(
    `WITH gone AS (DELETE FROM audit WHERE seq < $1 AND (at < $3 OR seq <= $4) RETURNING at),
    noted AS (UPDATE audit_retention SET pruned_through = greatest(pruned_through, (SELECT max(at) FROM gone))
      WHERE EXISTS (SELECT 1 FROM gone))
    SELECT (SELECT at FROM audit WHERE seq >= $2 ORDER BY seq LIMIT 1) AS first_at_past`,
    [end, pass.upper, pass.minAt, pass.cutoff],
  );
  return prunesPastWindow(pass, end, pruned?.first_at_past ?? null);
}
