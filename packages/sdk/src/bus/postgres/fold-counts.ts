import { DELTA_COLUMNS } from './queue-counters.ts';
import type { PgTransaction } from './transaction.ts';

/**
 * The key of the fold's advisory lock, as SQL: another replica's sweep of the same tables is folding,
 * so one fold at a time (the lock is tried, never waited for). Keyed by schema, as the sweep lock
 * is: stores in other schemas of the database fold their own tables meanwhile.
 */
export const FOLD_LOCK_KEY = `hashtextextended('fleet_bus.fold.' || current_schema(), 0)`;

/**
 * Folds `queue_count_deltas` into one row per recipient (none for a recipient whose sums are all
 * zero), in the sweep's transaction. Readers see the rows before or after, never a mix (the delete
 * and the insert commit together); rows committed by other transactions meanwhile are not in this
 * snapshot's delete and stay for the next fold. Resolves with the rows folded.
 */
export async function foldCountDeltas(tx: PgTransaction): Promise<number> {
  const [locked] = await tx.rows<{ locked: boolean }>(`SELECT pg_try_advisory_xact_lock(${FOLD_LOCK_KEY}) AS locked`);
  if (!locked?.locked) return 0;
  const [row] = await tx.rows<{ folded: number }>(
    `WITH gone AS (DELETE FROM queue_count_deltas RETURNING ${DELTA_COLUMNS}),
      summed AS (
        INSERT INTO queue_count_deltas (${DELTA_COLUMNS})
          SELECT recipient, sum(ready), sum(delayed), sum(in_flight), sum(dead) FROM gone GROUP BY recipient
          HAVING sum(ready) <> 0 OR sum(delayed) <> 0 OR sum(in_flight) <> 0 OR sum(dead) <> 0)
    SELECT count(*)::int AS folded FROM gone`,
  );
  return row?.folded ?? 0;
}
