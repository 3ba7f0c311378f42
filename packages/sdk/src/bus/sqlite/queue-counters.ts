import { PendingCounts } from '../internal/pending-counts.ts';
import type { Statements } from './statements.ts';

export { type CountedState, countedState } from '../internal/pending-counts.ts';

/**
 * Keeps `queue_counts` equal to the messages table. Every write to `messages` reports its change
 * here while the group transaction runs; {@link write} adds the sums to `queue_counts` at the end
 * of that same transaction (one statement per recipient touched, not one per message), so the
 * counters commit, or roll back, with the messages they count.
 */
export class QueueCounters extends PendingCounts {
  readonly #sql: Statements;

  constructor(sql: Statements) {
    super();
    this.#sql = sql;
  }

  /** Adds the pending changes to `queue_counts`; runs inside the transaction that made them. */
  write(): void {
    for (const [agent, d] of this.take()) {
      this.#sql.addCounts.run(agent, d.ready, d.delayed, d.inFlight, d.dead);
      // A recipient without messages has no row, so the table lists only recipients with messages.
      // A row exists only while its total is above zero, so only a change that lowers the total
      // can empty it.
      if (d.ready + d.delayed + d.inFlight + d.dead < 0) this.#sql.dropCountsIfEmpty.run(agent);
    }
  }
}
