import type { MessageState } from '../internal/message-record.ts';

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
