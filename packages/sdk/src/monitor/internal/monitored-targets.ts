import type { ResolvedMonitorOptions } from '../fleet-monitor-options.ts';
import type { HistoryStore } from '../history/history-store.ts';
import { checkTarget, trackCheck } from './check-target.ts';
import { ConcurrencyLimiter } from './concurrency-limiter.ts';
import type { ProbeOutcome } from './http-probe.ts';
import type { MonitorRecorder } from './monitor-recorder.ts';
import { ProbeScheduler } from './probe-scheduler.ts';
import { reconcileTargets } from './reconcile-targets.ts';
import type { ResolvedTarget } from './resolve-target.ts';
import { createRuntime, type TargetRuntime } from './target-runtime.ts';

/**
 * The monitor's targets, by id in the order given, and their probing: each on its own interval
 * ({@link ProbeScheduler}), within the concurrency limits, never twice at once; an outcome goes
 * to the recorder unless the target was removed, or the monitor closed (`closed()`), meanwhile.
 */
export class MonitoredTargets {
  readonly #settings: ResolvedMonitorOptions;
  readonly #store: HistoryStore;
  readonly #recorder: MonitorRecorder;
  readonly #closed: () => boolean;
  readonly #limiter: ConcurrencyLimiter;
  readonly #scheduler: ProbeScheduler;
  readonly #abort = new AbortController();
  #runtimes = new Map<string, TargetRuntime>();
  /** Every id that was among the targets, to tell a target back after a removal from a new one. */
  readonly #known = new Set<string>();

  constructor(settings: ResolvedMonitorOptions, store: HistoryStore, recorder: MonitorRecorder, closed: () => boolean) {
    this.#settings = settings;
    this.#store = store;
    this.#recorder = recorder;
    this.#closed = closed;
    this.#limiter = new ConcurrencyLimiter(settings.concurrency.total, settings.concurrency.perHost);
    this.#scheduler = new ProbeScheduler((id) => void this.check(id, false), settings.random);
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
    const settings = { ...this.#settings.probe, now: this.#settings.now, signal: this.#abort.signal };
    // A target removed (or a monitor closed) meanwhile does not take the result.
    const current = () => !this.#closed() && this.#runtimes.get(id) === runtime;
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
    const check = checkTarget(runtime, this.#limiter, settings, record).then((outcome) => {
      // Probe listeners hear of it once the check's read is over too: they look at the figures
      // it read (alerting on dead letters and sync lag, the dashboard's status).
      if (recorded && current()) this.#recorder.announce(outcome.result);
      return outcome;
    });
    return trackCheck(runtime, check);
  }

  /** Starts probing every target on its interval. */
  startProbing(): void {
    this.#scheduler.start();
  }

  /** Stops probing (probes already running go on). */
  stopProbing(): void {
    this.#scheduler.stop();
  }

  /** Resolves once the probes running now have finished. */
  settled(): Promise<unknown> {
    return Promise.allSettled([...this.#runtimes.values()].map((runtime) => runtime.inflight));
  }

  /** Aborts the running probes (their results are dropped) and ends the deploy windows' timers. */
  abort(): void {
    this.#abort.abort();
    for (const runtime of this.#runtimes.values()) clearTimeout(runtime.deployTimer);
  }
}
