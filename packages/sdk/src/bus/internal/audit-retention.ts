import { setTimeout as sleep } from 'node:timers/promises';
import type { ResolvedStoreOptions } from './options.ts';

/** The store options audit retention works to. */
export type AuditLimits = Pick<ResolvedStoreOptions, 'auditMaxAgeSeconds' | 'auditMaxEvents'>;

/**
 * How many of the oldest audit events one retention pass considers for deletion (SQLite and
 * PostgreSQL): a pass is one short write, so it never blocks the event loop or holds locks for long.
 */
export const AUDIT_PRUNE_BATCH = 10_000;

/**
 * How many retention passes one sweep runs at most: up to 100,000 events a sweep (a sweep a
 * second), more than a bus writes (batch sends of small payloads reach about 80,000 events a
 * second on SQLite), so the trail keeps within its limits under any load; a larger backlog (a bulk
 * load) goes over the next sweeps, and shutting down waits for at most these passes.
 */
export const AUDIT_PASSES_PER_SWEEP = 10;

/**
 * A sweep's retention: runs `pass` (one retention pass, resolving true when more is due) until
 * nothing more is due, {@link AUDIT_PASSES_PER_SWEEP} have run or `stopped()` says so. After each
 * pass it pauses as long as the pass took, so requests get at least half the time while a backlog
 * is worked off (a pass of 10,000 events on SQLite holds the event loop for about 30 ms).
 */
export async function runRetentionPasses(pass: () => Promise<boolean>, stopped: () => boolean): Promise<void> {
  for (let run = 1; !stopped(); run++) {
    const started = performance.now();
    if (!(await pass()) || run === AUDIT_PASSES_PER_SWEEP) return;
    await sleep(performance.now() - started);
  }
}

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
export function prunePass(span: AuditSpan, now: number, limits: AuditLimits): PrunePass {
  return {
    upper: span.low + AUDIT_PRUNE_BATCH,
    minAt: now - limits.auditMaxAgeSeconds * 1000,
    cutoff: span.high - span.low + 1 > limits.auditMaxEvents ? span.high - limits.auditMaxEvents : -1,
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
