import { DELTA_COLUMNS } from './queue-counters.ts';
import type { PgTransaction } from './transaction.ts';

/** Another replica's sweep is folding: one fold at a time (an advisory lock, tried, never waited for). */
const FOLD_LOCK = 0x666c_6566; // 'flef'

/**
 * Folds `queue_count_deltas` into one row per recipient (none for a recipient whose sums are all
 * zero), in the sweep's transaction. Readers see the rows before or after, never a mix (the delete
 * and the insert commit together); rows committed by other transactions meanwhile are not in this
 * snapshot's delete and stay for the next fold. Resolves with the rows folded.
 */
export async function foldCountDeltas(tx: PgTransaction): Promise<number> {
  const [locked] = await tx.rows<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS locked', [FOLD_LOCK]);
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
