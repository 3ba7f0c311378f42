import type { MessageState } from './message-record.ts';

/** The states the queue counters count: a ready row is counted as ready or as delayed by its `delayed` flag. */
export type CountedState = 'ready' | 'delayed' | 'inFlight' | 'dead';

/** The counted state of a row, from its state and `delayed` flag (a boolean, or SQLite's 0/1). */
export function countedState(row: { state: MessageState; delayed: boolean | number }): CountedState {
  if (row.state === 'ready') return row.delayed ? 'delayed' : 'ready';
  return row.state === 'in_flight' ? 'inFlight' : 'dead';
}

/** One recipient's counter changes. */
export type CountChanges = Record<CountedState, number>;

/**
 * The counter changes of one transaction, by recipient, summed as the transaction's writes report
 * them; each durable store writes the sums in its own way before it commits.
 */
export class PendingCounts {
  readonly #pending = new Map<string, CountChanges>();

  /** `count` rows of `agent` entered (or, negative, left) `state`. */
  add(agent: string, state: CountedState, count = 1): void {
    let changes = this.#pending.get(agent);
    if (!changes) {
      changes = { ready: 0, delayed: 0, inFlight: 0, dead: 0 };
      this.#pending.set(agent, changes);
    }
    changes[state] += count;
  }

  /** One row of `agent` went from `from` to `to`. */
  move(agent: string, from: CountedState, to: CountedState): void {
    if (from === to) return;
    this.add(agent, from, -1);
    this.add(agent, to, 1);
  }

  /** The recipients whose counts changed (a change that cancelled out is left out), then forgets them all. */
  take(): Array<[agent: string, changes: CountChanges]> {
    const changed = [...this.#pending].filter(
      ([, c]) => c.ready !== 0 || c.delayed !== 0 || c.inFlight !== 0 || c.dead !== 0,
    );
    this.#pending.clear();
    return changed;
  }

  /** Forgets the pending changes: their transaction was rolled back. */
  clear(): void {
    this.#pending.clear();
  }
}
