import { type AuditLimits, runRetentionPasses } from '../internal/audit-retention.ts';
import type { PgDatabase } from './database.ts';
import { foldCountDeltas } from './fold-counts.ts';
import { pruneAuditPass } from './prune-audit.ts';
import type { PgTransitions } from './transitions.ts';

/**
 * The housekeeping one `sweep()` does (once it holds the sweep lock): expired leases and TTLs,
 * delayed messages whose time has come, the counter changes, the audit, idempotency keys and
 * agents past their retention.
 */
export async function sweepParts(
  database: PgDatabase,
  transitions: PgTransitions,
  limits: AuditLimits,
  now: number,
): Promise<void> {
  // Short transactions, not one long one: each part stands on its own.
  // Housekeeping in batches: a backlog of expired leases or TTLs takes several transactions.
  let more = true;
  while (more) more = await database.transaction((tx) => transitions.housekeepAll(tx, now));
  await database.transaction((tx) => transitions.promoteDue(tx, now));
  // After the writes above have committed their counter changes: fold them too.
  await database.transaction((tx) => foldCountDeltas(tx));
  // Audit retention in passes too, each its own transaction.
  await runRetentionPasses(
    () => database.transaction((tx) => pruneAuditPass(tx, now, limits)),
    () => database.closed,
  );
  await database.transaction((tx) => transitions.pruneIdempotency(tx, now));
  await database.transaction((tx) => transitions.forgetUnseenAgents(tx, now));
}
