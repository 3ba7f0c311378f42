import { setMaxListeners } from 'node:events';
import type { ResolvedMonitorOptions } from '../fleet-monitor-options.ts';
import type { HistoryStore } from '../history/history-store.ts';
import { checkTarget, trackCheck } from './check-target.ts';
import { ConcurrencyLimiter } from './concurrency-limiter.ts';
import type { ProbeOutcome } from './http-probe.ts';
import type { MonitorRecorder } from './monitor-recorder.ts';
import { MONITOR_STOPPED } from './monitor-stopped.ts';
import { ProbeScheduler } from './probe-scheduler.ts';
import { reconcileTargets } from './reconcile-targets.ts';
import type { ResolvedTarget } from './resolve-target.ts';
import { createRuntime, type TargetRuntime } from './target-runtime.ts';

/**
 * The monitor's targets, by id in the order given, and their probing: each on its own interval
 * ({@link ProbeScheduler}), within the concurrency limits, never twice at once; an outcome goes
 * to the recorder unless the target was removed, or the monitor stopped or closed (`closed()`),
 * meanwhile.
 */
export class MonitoredTargets {
  readonly #settings: ResolvedMonitorOptions;
  readonly #store: HistoryStore;
  readonly #recorder: MonitorRecorder;
  readonly #closed: () => boolean;
  readonly #limiter: ConcurrencyLimiter;
  readonly #scheduler: ProbeScheduler;
  /** Aborted (with {@link MONITOR_STOPPED}) by a stop or the close, then replaced by a fresh one. */
  #abort: AbortController;
  #runtimes = new Map<string, TargetRuntime>();
  /** Checks a stop cancelled that have not ended yet. */
  readonly #ending = new Set<Promise<unknown>>();
  /** Every id that was among the targets, to tell a target back after a removal from a new one. */
  readonly #known = new Set<string>();

  constructor(settings: ResolvedMonitorOptions, store: HistoryStore, recorder: MonitorRecorder, closed: () => boolean) {
    this.#settings = settings;
    this.#store = store;
    this.#recorder = recorder;
    this.#closed = closed;
    this.#limiter = new ConcurrencyLimiter(settings.concurrency.total, settings.concurrency.perHost);
    this.#scheduler = new ProbeScheduler((id) => void this.check(id, false), settings.random);
    this.#abort = this.#controller();
  }

  /**
   * A controller for the checks until the next stop. Every running check listens to its signal
   * (and removes its listener when it ends), so up to the overall concurrency listen at once: no
   * leak, and no MaxListenersExceededWarning for one.
   */
  #controller(): AbortController {
    const controller = new AbortController();
    setMaxListeners(Math.max(this.#settings.concurrency.total, 1), controller.signal);
    return controller;
  }

  /** The runtime of the target `id`. */
  get(id: string): TargetRuntime | undefined {
    return this.#runtimes.get(id);
  }

  /** Whether `id` is a target. */
  has(id: string): boolean {
    return this.#runtimes.has(id);
  }

  /** The ids of the targets, in order. */
  ids(): string[] {
    return [...this.#runtimes.keys()];
  }

  /** The runtimes of the targets, in order. */
  values(): IterableIterator<TargetRuntime> {
    return this.#runtimes.values();
  }

  /** The target with the id `idOrHost`, else every target on the host of that name. */
  byIdOrHost(idOrHost: string): TargetRuntime[] {
    const direct = this.#runtimes.get(idOrHost);
    return direct ? [direct] : this.onHost(idOrHost);
  }

  /** Every target on the host `host`. */
  onHost(host: string): TargetRuntime[] {
    return [...this.#runtimes.values()].filter((runtime) => runtime.resolved.target.host === host);
  }

  /**
   * Takes `resolved` as the targets. A target added with a stale state went unprobed for the
   * reason `gapCause.returning` if it was among the targets before (and was removed), else for
   * `gapCause.added`.
   */
  apply(resolved: readonly ResolvedTarget[], gapCause: { returning: string; added: string }): void {
    const now = this.#settings.now();
    const added: Array<{ runtime: TargetRuntime; cause: string }> = [];
    this.#runtimes = reconcileTargets(
      this.#runtimes,
      resolved,
      (entry) => {
        const runtime = createRuntime(entry, this.#store, now);
        const returning = this.#known.has(entry.target.id);
        added.push({ runtime, cause: returning ? gapCause.returning : gapCause.added });
        return runtime;
      },
      (id, runtime) => {
        clearTimeout(runtime.deployTimer);
        this.#scheduler.delete(id);
      },
    );
    for (const entry of resolved) {
      this.#known.add(entry.target.id);
      this.#scheduler.set(entry.target.id, entry.target.intervalMs);
    }
    // A restored state holds only if it was probed lately; noted once status() knows the new targets.
    for (const { runtime, cause } of added) this.#recorder.noteGaps([runtime], now, cause);
  }

  /**
   * Probes one target (and reads its bus or knowledge stats) unless a probe of it is running;
   * with `join`, resolves with the running one's outcome then.
   */
  async check(id: string, join: boolean): Promise<ProbeOutcome | undefined> {
    const runtime = this.#runtimes.get(id);
    if (!runtime || this.#closed()) return undefined;
    if (runtime.inflight) return join ? runtime.inflight : undefined;
    const { signal } = this.#abort;
    const settings = { ...this.#settings.probe, now: this.#settings.now, signal };
    // A target removed (or a monitor stopped or closed) meanwhile does not take the result: a
    // probe the stop cut short would otherwise count as a failure.
    const kept = () => !this.#closed() && this.#runtimes.get(id) === runtime;
    const current = () => kept() && !signal.aborted;
    let recorded = false;
    const record = (outcome: ProbeOutcome) => {
      if (!current()) return;
      try {
        this.#recorder.record(runtime, outcome);
        recorded = true;
      } catch (error) {
        // Scheduled checks have no caller to throw to (a full disk, say): report and go on.
        this.#settings.logger?.warn(`fleet monitor: recording a probe of ${id} failed:`, error);
      }
    };
    const check = checkTarget(runtime, this.#limiter, settings, record).then(
      (outcome) => {
        // Probe listeners hear of it once the check's read is over too: they look at the figures
        // it read (alerting on dead letters and sync lag, the dashboard's status).
        // A stop during the read does not take back a result already recorded.
        if (recorded && kept()) this.#recorder.announce(outcome.result);
        return outcome;
      },
      (error: unknown) => {
        // Dropped from the queue by a stop before it started: it never ran.
        if (error === MONITOR_STOPPED) return undefined;
        throw error;
      },
    );
    return trackCheck(runtime, check);
  }

  /** Starts probing every target on its interval. */
  startProbing(): void {
    this.#scheduler.start();
  }

  /**
   * Stops probing: no scheduled check starts any more, the checks waiting for a slot are dropped
   * and the running ones aborted, none of them recorded. Resolves once the aborted ones have
   * ended. Checks asked for afterwards (`probeNow`) run as usual.
   */
  stop(): Promise<unknown> {
    this.#scheduler.stop();
    this.#cancelChecks();
    return this.#settled();
  }

  /** Stops probing for good (see {@link stop}) and ends the deploy windows' timers. */
  abort(): void {
    this.#scheduler.stop();
    this.#cancelChecks();
    for (const runtime of this.#runtimes.values()) clearTimeout(runtime.deployTimer);
  }

  #cancelChecks(): void {
    const cancelled = this.#abort;
    this.#abort = this.#controller();
    // Those waiting first: aborting the running ones frees slots the waiting ones would take.
    this.#limiter.dropWaiting(MONITOR_STOPPED);
    cancelled.abort(MONITOR_STOPPED);
    // A check asked for from now on starts afresh rather than join one cancelled here (which would
    // give it no result); `stop()` still waits for the cancelled ones to end.
    for (const runtime of this.#runtimes.values()) {
      const cancelledCheck = runtime.inflight;
      if (!cancelledCheck) continue;
      runtime.inflight = null;
      this.#ending.add(cancelledCheck);
      void cancelledCheck.catch(() => undefined).finally(() => this.#ending.delete(cancelledCheck));
    }
  }

  /** Resolves once the checks running now, and those a stop cancelled, have ended. */
  #settled(): Promise<unknown> {
    const running = [...this.#runtimes.values()].map((runtime) => runtime.inflight);
    return Promise.allSettled([...running, ...this.#ending]);
  }
}
