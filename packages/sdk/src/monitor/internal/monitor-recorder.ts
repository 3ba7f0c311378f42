import { Listeners } from '../../internal/listeners.ts';
import type { ProbeResult, StateTransition } from '../../schemas/monitor.ts';
import type { HistoryStore } from '../history/history-store.ts';
import { isTimed, type ProbeOutcome } from './http-probe.ts';
import { applyOutcome, noteGap, type TargetRuntime, toTransition } from './target-runtime.ts';
import type { StateChange } from './target-state.ts';

/**
 * Where the monitor's probe results and state changes go: into the history, then to the
 * listeners. A state change is dropped once the monitor is closed (`closed()`).
 */
export class MonitorRecorder {
  readonly #store: HistoryStore;
  readonly #closed: () => boolean;
  readonly #now: () => number;
  readonly #probes = new Listeners<ProbeResult>();
  readonly #transitions = new Listeners<StateTransition>();

  /** `now`: the monitor's clock, when an outcome is recorded. */
  constructor(store: HistoryStore, closed: () => boolean, now: () => number) {
    this.#store = store;
    this.#closed = closed;
    this.#now = now;
  }

  /** Calls `listener` with every probe result; returns the function that removes it. */
  onProbe(listener: (result: ProbeResult) => void): () => void {
    return this.#probes.add(listener);
  }

  /** Calls `listener` with every state change; returns the function that removes it. */
  onTransition(listener: (transition: StateTransition) => void): () => void {
    return this.#transitions.add(listener);
  }

  /** Records one probe outcome of `runtime` (see {@link record}) and tells the probe listeners. */
  accept(runtime: TargetRuntime, outcome: ProbeOutcome): void {
    this.record(runtime, outcome);
    this.announce(outcome.result);
  }

  /**
   * Records one probe outcome of `runtime`, its result and the state changes it causes (the
   * transition listeners hear of those), without telling the probe listeners yet.
   */
  record(runtime: TargetRuntime, outcome: ProbeOutcome): void {
    const { result, atMs } = outcome;
    this.#store.record(result.target, atMs, result.responseTimeMs, result.status, result.ok, isTimed(outcome));
    // A probe after a gap (a suspended process, a stalled loop): the old state ends where probing
    // stopped. Measured to when the check asked to run: waiting behind the host's other probes is none.
    this.change(runtime, noteGap(runtime, outcome.askedAtMs ?? atMs));
    this.change(runtime, applyOutcome(runtime, outcome, this.#now()));
  }

  /** Tells the probe listeners of a result already {@link record}ed. */
  announce(result: ProbeResult): void {
    this.#probes.emit(result);
  }

  /** Records a state change of `runtime` and tells the listeners (nothing for `null`). */
  change(runtime: TargetRuntime, change: StateChange | null): void {
    if (!change || this.#closed()) return;
    this.#store.addTransition(runtime.resolved.target.id, change);
    this.#transitions.emit(toTransition(runtime.resolved.target.id, change));
  }

  /** Ends the states of `runtimes` that went stale while they were not probed (`cause` says why). */
  noteGaps(runtimes: Iterable<TargetRuntime>, now: number, cause: string): void {
    for (const runtime of runtimes) this.change(runtime, noteGap(runtime, now, cause));
  }
}
