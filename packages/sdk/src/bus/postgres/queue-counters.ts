import type { MessageState } from '../internal/message-record.ts';
import type { PgTransaction } from './transaction.ts';

/** The states the counters count: a ready row is counted as ready or as delayed by its `delayed` flag. */
export type CountedState = 'ready' | 'delayed' | 'inFlight' | 'dead';

/** The counted state of a row, from its state and `delayed` flag. */
export function countedState(row: { state: MessageState; delayed: boolean }): CountedState {
  if (row.state === 'ready') return row.delayed ? 'delayed' : 'ready';
  return row.state === 'in_flight' ? 'inFlight' : 'dead';
}

type Deltas = Record<CountedState, number>;

/** The columns of `queue_count_deltas`, in the order {@link CountDeltas.columns} gives them. */
export const DELTA_COLUMNS = 'recipient, ready, delayed, in_flight, dead';

/**
 * The counter changes of one transaction, by recipient. Every write to `messages` reports its
 * change here; the transaction inserts the sums into `queue_count_deltas` just before COMMIT
 * (one insert-only row per recipient touched), so the counters commit or roll back with the
 * messages, and concurrent replicas never wait for each other on a counter row.
 */
export class CountDeltas {
  readonly #pending = new Map<string, Deltas>();

  /** `count` rows of `agent` entered (or, negative, left) `state`. */
  add(agent: string, state: CountedState, count = 1): void {
    let deltas = this.#pending.get(agent);
    if (!deltas) {
      deltas = { ready: 0, delayed: 0, inFlight: 0, dead: 0 };
      this.#pending.set(agent, deltas);
    }
    deltas[state] += count;
  }

  /** One row of `agent` went from `from` to `to`. */
  move(agent: string, from: CountedState, to: CountedState): void {
    if (from === to) return;
    this.add(agent, from, -1);
    this.add(agent, to, 1);
  }

  /** The non-zero sums as five parallel arrays (recipient, ready, delayed, in flight, dead), then cleared. */
  take(): [string[], number[], number[], number[], number[]] | undefined {
    const rows = [...this.#pending].filter(
      ([, d]) => d.ready !== 0 || d.delayed !== 0 || d.inFlight !== 0 || d.dead !== 0,
    );
    this.#pending.clear();
    if (rows.length === 0) return undefined;
    return [
      rows.map(([agent]) => agent),
      rows.map(([, d]) => d.ready),
      rows.map(([, d]) => d.delayed),
      rows.map(([, d]) => d.inFlight),
      rows.map(([, d]) => d.dead),
    ];
  }
}

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
