import type { FleetProblem, HistoryBucket, ServiceDetail, TargetStatus } from '@fleet/sdk';
import {
  buildFleetStatus,
  type Fleet,
  type FleetMonitor,
  fleetTargets,
  type HistoryRange,
  shownFleet,
} from '@fleet/sdk/fleet';
import { RecentHistory } from './recent-history.ts';
import { type CachedStatus, StatusCache } from './status-cache.ts';

/** The fleet a dashboard shows: the fleet in use and where it came from. */
export interface FleetSnapshot {
  /** The fleet in use (the last valid one); `undefined` when none ever loaded. */
  fleet: Fleet | undefined;
  /** The fleet file's path; `null` for a fleet given in memory. */
  file: string | null;
  /** The fleet file's problems as it is now (errors and warnings). */
  problems: FleetProblem[];
}

/** Options of {@link DashboardView}. */
export interface DashboardViewOptions {
  /** The monitor of the fleet's targets; the view sets its targets from every new fleet. */
  monitor: FleetMonitor;
  /** The fleet to start with. */
  snapshot: FleetSnapshot;
  /** Name shown in the header and the document title. @default the fleet's `name`, else 'Fleet' */
  title?: string;
  /** Least time between two rebuilds of the cached status, in ms (see `StatusCache`). @default 100 */
  statusRebuildMs?: number;
  /** How long the uptime bars' history is reused, in ms (see `RecentHistory`). @default 60000 */
  historyRefreshMs?: number;
  /** Clock, epoch ms; give the monitor the same one. @default Date.now */
  now?: () => number;
}

/**
 * What every route of the dashboard reads: the fleet in use, the monitor, the cached status and
 * the uptime bars' history, and a signal when any of it changes (a probe, a state change, a new
 * fleet). Applying a new fleet sets the monitor's targets; a fleet the monitor refuses (a health
 * condition it cannot parse) leaves the targets as they were and shows up as a problem.
 */
export class DashboardView {
  /** The monitor the status comes from. */
  readonly monitor: FleetMonitor;
  readonly #title: string | undefined;
  readonly #now: () => number;
  readonly #cache: StatusCache;
  readonly #history: RecentHistory;
  readonly #listeners = new Set<() => void>();
  readonly #unsubscribe: Array<() => void>;
  #snapshot: FleetSnapshot;
  #refused: FleetProblem[] = [];

  constructor(options: DashboardViewOptions) {
    this.monitor = options.monitor;
    this.#title = options.title;
    this.#now = options.now ?? Date.now;
    this.#cache = new StatusCache(() => this.#build(), {
      now: this.#now,
      ...(options.statusRebuildMs === undefined ? {} : { minIntervalMs: options.statusRebuildMs }),
    });
    this.#history = new RecentHistory((id, from, to) => this.monitor.history(id, { from, to, resolution: '5m' }), {
      now: this.#now,
      ...(options.historyRefreshMs === undefined ? {} : { refreshMs: options.historyRefreshMs }),
    });
    this.#snapshot = options.snapshot;
    this.#applyTargets(undefined);
    this.#unsubscribe = [
      this.monitor.onProbe(() => this.#changed()),
      this.monitor.onTransition((transition) => {
        this.#history.invalidate(transition.target);
        this.#changed();
      }),
    ];
  }

  /** The fleet in use. */
  get snapshot(): FleetSnapshot {
    return this.#snapshot;
  }

  /** The name in the header and the document title. */
  get title(): string {
    return this.#title ?? this.#snapshot.fleet?.name ?? 'Fleet';
  }

  /** The view's clock, epoch ms. */
  now(): number {
    return this.#now();
  }

  /** Shows a new fleet (or the same fleet with new problems); targets change only with the fleet. */
  setFleet(snapshot: FleetSnapshot): void {
    const previous = this.#snapshot.fleet;
    this.#snapshot = snapshot;
    this.#applyTargets(previous);
    this.#changed();
  }

  /** The cached status; `fresh` skips the rebuild rate limit (the live feed limits itself). */
  status(fresh = false): CachedStatus {
    return this.#cache.get(fresh);
  }

  /**
   * Whether something changed since the cached status was built: a read within `statusRebuildMs`
   * of the last build still answers the older one.
   */
  get statusDirty(): boolean {
    return this.#cache.dirty;
  }

  /**
   * One target's status as it may be served: its URL shows `${ENV}` references, not their values
   * (the monitor's own status carries the URL it probes).
   */
  targetStatus(id: string): TargetStatus | undefined {
    const status = this.monitor.status(id);
    return status && this.#shown(status);
  }

  /** One target's detail as it may be served (see {@link targetStatus}); `range` as `FleetMonitor.detail`. */
  detail(id: string, range?: HistoryRange): ServiceDetail | undefined {
    const detail = this.monitor.detail(id, range);
    return detail && { ...detail, status: this.#shown(detail.status) };
  }

  #shown(status: TargetStatus): TargetStatus {
    const { fleet } = this.#snapshot;
    const url = fleet ? shownFleet(fleet).urls.get(status.id) : undefined;
    return url === undefined ? status : { ...status, url };
  }

  /** The recent history of every target, for the uptime bars. */
  history(): Record<string, HistoryBucket[]> {
    return this.#history.get(this.monitor.statuses().map((status) => status.id));
  }

  /** Tells the pages that something they show besides the monitor changed (a deploy event). */
  changed(): void {
    this.#changed();
  }

  /** Calls `listener` whenever the status may have changed; returns the function that removes it. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Stops listening to the monitor (which stays open: its owner closes it). */
  close(): void {
    for (const unsubscribe of this.#unsubscribe) unsubscribe();
    this.#listeners.clear();
  }

  #applyTargets(previous: Fleet | undefined): void {
    const { fleet, file } = this.#snapshot;
    if (!fleet || fleet === previous) return;
    try {
      this.monitor.setTargets(fleetTargets(fleet));
      this.#refused = [];
    } catch (error) {
      const message = `the monitor refused this fleet, still probing the previous one: ${(error as Error).message}`;
      this.#refused = [{ file: file ?? 'fleet', line: 1, column: 1, path: '', message, severity: 'error' }];
    }
  }

  #build() {
    const { fleet, file, problems } = this.#snapshot;
    return buildFleetStatus({
      fleet,
      file,
      problems: [...this.#refused, ...problems],
      monitor: this.monitor,
      now: this.#now(),
    });
  }

  #changed(): void {
    this.#cache.invalidate();
    for (const listener of this.#listeners) {
      try {
        listener();
      } catch {
        // A listener's failure is its own.
      }
    }
  }
}
