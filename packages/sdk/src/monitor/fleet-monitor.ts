import type { BusBacklog, KnowledgeSync } from '../schemas/fleet-status.ts';
import {
  type HistoryBucket,
  type MonitorTargetInput,
  ProbeResult,
  type ServiceDetail,
  type StateTransition,
  type TargetStatus,
} from '../schemas/monitor.ts';
import {
  type FleetMonitorOptions,
  type HistoryRange,
  type ProbeNowOptions,
  type ResolvedMonitorOptions,
  resolveMonitorOptions,
} from './fleet-monitor-options.ts';
import { HistoryStore } from './history/history-store.ts';
import type { RollupResult } from './history/rollup.ts';
import { RETENTION_MS } from './history/time-buckets.ts';
import { historySeries, resolveRange } from './internal/history-series.ts';
import { judge } from './internal/http-probe.ts';
import { MonitorRecorder } from './internal/monitor-recorder.ts';
import { MonitoredTargets } from './internal/monitored-targets.ts';
import { resolveTargets } from './internal/resolve-target.ts';
import { RollupTimer } from './internal/rollup-timer.ts';
import { setDeployWindow, statusOf, type TargetRuntime, toTransition } from './internal/target-runtime.ts';
import { untilAborted } from './internal/until-aborted.ts';
import { BusBacklogReader } from './readers/bus-backlog-reader.ts';
import { KnowledgeSyncReader } from './readers/knowledge-sync-reader.ts';

export type { FleetMonitorOptions, HistoryRange, ProbeNowOptions } from './fleet-monitor-options.ts';
export type { RollupResult } from './history/rollup.ts';

/** Why a target went unprobed, for the transition a gap records (`no probe for 4m: ...`). */
const NOT_RUNNING = 'the monitor was not running';
const NOT_MONITORED = 'it was not among the monitored targets';

/** Most transitions in range a service detail carries (a report over a flapping target stops there). */
const MAX_DETAIL_TRANSITIONS = 1000;

/**
 * The fleet's health monitor. Probes every target over HTTP on its own interval (start to start,
 * the first probes spread over the interval, limited concurrency overall and per host), judges
 * each answer by the target's conditions, keeps a state per target (`unknown`, `up`, `degraded`,
 * `down`, `deploying`), records results and state changes in SQLite (raw 48 h, 5-minute buckets
 * 30 days, days a year) and, for `bus` and `knowledge` targets, reads queue backlogs and sync lag
 * on the same interval. Status reads come from memory.
 *
 * @example
 * ```ts
 * const monitor = new FleetMonitor({ targets, dbPath: './.fleet/monitor.db' });
 * monitor.onTransition((t) => console.log(`${t.target}: ${t.from} -> ${t.to} (${t.reason})`));
 * monitor.start();
 * monitor.statuses(); // TargetStatus[], from memory
 * await monitor.stop();
 * monitor.close();
 * ```
 */
export class FleetMonitor {
  readonly #store: HistoryStore;
  readonly #now: () => number;
  readonly #options: ResolvedMonitorOptions;
  readonly #recorder: MonitorRecorder;
  readonly #targets: MonitoredTargets;
  readonly #rollups: RollupTimer;
  #started = false;
  /** Whether start() was ever called: before, a gap in a target's probes is the monitor's own. */
  #everStarted = false;
  #closed = false;

  constructor(options: FleetMonitorOptions) {
    const resolved = resolveTargets(options.targets);
    const settings = resolveMonitorOptions(options);
    this.#options = settings;
    this.#now = settings.now;
    this.#store = new HistoryStore(options.dbPath, (error) =>
      settings.logger?.warn('fleet monitor: writing results failed:', error),
    );
    const closed = () => this.#closed;
    this.#recorder = new MonitorRecorder(this.#store, closed, settings.now);
    this.#targets = new MonitoredTargets(settings, this.#store, this.#recorder, closed);
    this.#rollups = new RollupTimer(() => this.rollup(), settings.logger);
    this.#targets.apply(resolved, { returning: NOT_RUNNING, added: NOT_RUNNING });
  }

  /** Starts probing on each target's interval and rolling up on a timer (a first rollup runs now). */
  start(): void {
    this.#assertOpen();
    if (this.#started) return;
    this.#started = true;
    this.#everStarted = true;
    // Stopped (or never started) for long enough, every state went stale meanwhile.
    this.#recorder.noteGaps(this.#targets.values(), this.#now(), NOT_RUNNING);
    this.#targets.startProbing();
    this.#rollups.start(this.#options.rollupIntervalMs);
  }

  /**
   * Stops probing and rolling up: checks waiting for their slot (behind a host's concurrency limit)
   * are dropped and running ones aborted, so it never waits for a probe's timeout. A check cut
   * short this way is not recorded (it says nothing about its target: no failure, no `down`).
   * Resolves once the aborted checks have ended. `start()` and `probeNow()` probe again afterwards.
   */
  async stop(): Promise<void> {
    this.#started = false;
    this.#rollups.stop();
    await this.#targets.stop();
  }

  /** Stops everything at once (running probes are aborted, their results dropped) and closes the history. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#rollups.stop();
    this.#targets.abort();
    this.#store.close();
  }

  /**
   * Replaces the targets (the fleet file was reloaded). Validates them all first: an invalid set
   * throws and changes nothing. Targets whose id stays keep their state, counters and history;
   * removed ones stop being probed (their history stays in the file).
   */
  setTargets(targets: readonly MonitorTargetInput[]): void {
    this.#assertOpen();
    // A target back after a reload was not probed because it was not among the targets. A new
    // one given before the first start() (a caller that constructs with no targets and sets them
    // next, as the dashboard does) went unprobed because no monitor was running.
    this.#targets.apply(resolveTargets(targets), {
      returning: NOT_MONITORED,
      added: this.#everStarted ? NOT_MONITORED : NOT_RUNNING,
    });
  }

  /**
   * Probes the given targets (default: all) once now, through the same limits, state machine
   * and history as scheduled probes; a target whose probe is already running contributes that
   * probe's result. Resolves with the results in the order of `ids` (without those a `stop()`
   * dropped before they ran). Once `options.signal` aborts it rejects with the signal's reason
   * without waiting for the probes, which go on and are recorded as usual.
   *
   * @example
   * await monitor.probeNow(['bus', 'dashboard'], { signal: AbortSignal.timeout(10_000) });
   */
  async probeNow(ids?: readonly string[], options: ProbeNowOptions = {}): Promise<ProbeResult[]> {
    this.#assertOpen();
    const { signal } = options;
    signal?.throwIfAborted();
    const wanted = ids ?? this.#targets.ids();
    for (const id of wanted) if (!this.#targets.has(id)) throw new TypeError(`unknown monitor target "${id}"`);
    const checks = Promise.all(wanted.map((id) => this.#targets.check(id, true)));
    const outcomes = await (signal ? untilAborted(checks, signal) : checks);
    return outcomes.filter((outcome) => outcome !== undefined).map((outcome) => outcome.result);
  }

  /**
   * Records a probe result obtained elsewhere (a push check, an import) as if it had been probed:
   * history, state and listeners. A result that is not `ok` counts as a failure. Throws a
   * `RangeError` for a result older than the raw history keeps (48 h): its 5-minute and daily
   * aggregates are final by then, and it would replace them.
   */
  record(result: ProbeResult): void {
    this.#assertOpen();
    const parsed = ProbeResult.parse(result);
    const runtime = this.#targets.get(parsed.target);
    if (!runtime) throw new TypeError(`unknown monitor target "${parsed.target}"`);
    const atMs = Date.parse(parsed.at);
    if (atMs < this.#now() - RETENTION_MS.raw) {
      throw new RangeError(`a result at ${parsed.at} is older than the raw history kept (48 h)`);
    }
    this.#recorder.accept(runtime, {
      result: parsed,
      atMs,
      ...judge(parsed, [], null, this.#options.probe.slowThresholdMs),
    });
  }

  /** The current status of every target, in the order they were given (from memory). */
  statuses(): TargetStatus[] {
    const now = this.#now();
    return [...this.#targets.values()].map((runtime) => statusOf(runtime, now));
  }

  /** The current status of one target. */
  status(id: string): TargetStatus | undefined {
    const runtime = this.#targets.get(id);
    return runtime && statusOf(runtime, this.#now());
  }

  /**
   * One target with its history over `range` (default: the last 24 h) and its transitions: every
   * one from the range's start on (at most 1000) and the one before, or the latest 50 when that is
   * fewer.
   */
  detail(id: string, range: HistoryRange = {}): ServiceDetail | undefined {
    const status = this.status(id);
    if (!status) return undefined;
    const { fromMs } = resolveRange(range, this.#now());
    const transitions = this.#store
      .transitionsFrom(id, fromMs, { min: 50, max: MAX_DETAIL_TRANSITIONS })
      .map((change) => toTransition(id, change));
    return { status, history: this.history(id, range), transitions };
  }

  /** The history of a target over `range`, oldest first; the resolution follows the range (see {@link HistoryRange}). */
  history(id: string, range: HistoryRange = {}): HistoryBucket[] {
    if (!this.#targets.has(id)) return [];
    return historySeries(this.#store, id, resolveRange(range, this.#now()));
  }

  /** The latest `limit` state changes of a target, newest first. */
  transitions(id: string, limit = 50): StateTransition[] {
    return this.#store.transitions(id, limit).map((change) => toTransition(id, change));
  }

  /** The queue backlogs of the `bus` targets, as last read. */
  busBacklogs(): BusBacklog[] {
    return [...this.#targets.values()].flatMap((runtime) =>
      runtime.reader instanceof BusBacklogReader ? [runtime.reader.value] : [],
    );
  }

  /** The sync status of the `knowledge` targets, as last read. */
  knowledgeSync(): KnowledgeSync[] {
    return [...this.#targets.values()].flatMap((runtime) =>
      runtime.reader instanceof KnowledgeSyncReader ? [runtime.reader.value] : [],
    );
  }

  /**
   * Starts a deploy window until `untilMs` (epoch ms) for the target with this id, or for every
   * target on the host with this name: they show `deploying` and their failures do not count
   * towards `down`. A `untilMs` in the past ends the window. Returns the ids of the targets it
   * applied to (empty when nothing matched).
   */
  markDeploying(idOrHost: string, untilMs: number): string[] {
    return this.#openWindow(this.#targets.byIdOrHost(idOrHost), untilMs);
  }

  /**
   * {@link markDeploying} for every target on the host `host`, even when a target has that name too
   * (a host `gitea` running the service `gitea` and others): what a deploy of the host needs.
   */
  markHostDeploying(host: string, untilMs: number): string[] {
    return this.#openWindow(this.#targets.onHost(host), untilMs);
  }

  #openWindow(runtimes: TargetRuntime[], untilMs: number): string[] {
    this.#assertOpen();
    const now = this.#now();
    for (const runtime of runtimes) {
      setDeployWindow(runtime, now, untilMs, this.#now, (change) => this.#recorder.change(runtime, change));
    }
    return runtimes.map((runtime) => runtime.resolved.target.id);
  }

  /**
   * Calls `listener` with every probe result; returns the function that removes it. For a `bus` or
   * `knowledge` target it is called once the check's backlog or sync read is over too, so
   * {@link busBacklogs} and {@link knowledgeSync} show that read; its state change, if any, comes
   * first, without waiting for the read.
   */
  onProbe(listener: (result: ProbeResult) => void): () => void {
    return this.#recorder.onProbe(listener);
  }

  /** Calls `listener` with every state change; returns the function that removes it. */
  onTransition(listener: (transition: StateTransition) => void): () => void {
    return this.#recorder.onTransition(listener);
  }

  /** Aggregates new raw results into 5-minute and daily buckets and applies retention. Runs on a timer once started; idempotent. */
  rollup(): RollupResult {
    this.#assertOpen();
    return this.#store.rollup(this.#now());
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error('the fleet monitor is closed');
  }
}
