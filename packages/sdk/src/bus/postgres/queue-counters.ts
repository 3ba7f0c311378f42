import { PendingCounts } from '../internal/pending-counts.ts';

export { type CountedState, countedState } from '../internal/pending-counts.ts';

/** The columns of `queue_count_deltas`, in the order {@link CountDeltas.columns} gives them. */
export const DELTA_COLUMNS = 'recipient, ready, delayed, in_flight, dead';

/**
 * The counter changes of one transaction, by recipient. Every write to `messages` reports its
 * change here; the transaction inserts the sums into `queue_count_deltas` just before COMMIT
 * (one insert-only row per recipient touched), so the counters commit or roll back with the
 * messages, and concurrent replicas never wait for each other on a counter row.
 */
export class CountDeltas extends PendingCounts {
  /** The non-zero sums as five parallel arrays (recipient, ready, delayed, in flight, dead), then cleared. */
  columns(): [string[], number[], number[], number[], number[]] | undefined {
    const rows = this.take();
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
