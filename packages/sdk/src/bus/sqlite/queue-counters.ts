import type { MessageState } from '../internal/message-record.ts';
import type { Statements } from './statements.ts';

/** The states `queue_counts` counts: a ready row is counted as ready or as delayed by its `delayed` flag. */
export type CountedState = 'ready' | 'delayed' | 'inFlight' | 'dead';

/** The counted state of a row, from its state and `delayed` flag. */
export function countedState(row: { state: MessageState; delayed: number }): CountedState {
  if (row.state === 'ready') return row.delayed ? 'delayed' : 'ready';
  return row.state === 'in_flight' ? 'inFlight' : 'dead';
}

type Deltas = Record<CountedState, number>;

/**
 * Keeps `queue_counts` equal to the messages table. Every write to `messages` reports its change
 * here while the group transaction runs; {@link write} adds the sums to `queue_counts` at the end
 * of that same transaction (one statement per recipient touched, not one per message), so the
 * counters commit, or roll back, with the messages they count.
 */
export class QueueCounters {
  readonly #sql: Statements;
  readonly #pending = new Map<string, Deltas>();

  constructor(sql: Statements) {
    this.#sql = sql;
  }

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

  /** Adds the pending changes to `queue_counts`; runs inside the transaction that made them. */
  write(): void {
    for (const [agent, d] of this.#pending) {
      if (d.ready === 0 && d.delayed === 0 && d.inFlight === 0 && d.dead === 0) continue;
      const left = this.#sql.addCounts.get(agent, d.ready, d.delayed, d.inFlight, d.dead);
      // A recipient without messages has no row, so the table lists only recipients with messages.
      if (left === 0) this.#sql.dropCounts.run(agent);
    }
    this.#pending.clear();
  }

  /** Forgets the pending changes: their transaction was rolled back. */
  discard(): void {
    this.#pending.clear();
  }
}
