import type { HistoryResolution, MonitorTargetInput } from '../schemas/monitor.ts';

/** Default most probes running at once, overall. */
export const DEFAULT_MONITOR_CONCURRENCY = 32;
/** Default most probes running at once against one host. */
export const DEFAULT_MONITOR_CONCURRENCY_PER_HOST = 4;
/** Default most bytes of a response body read: 1 MiB. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
/** Default time between rollups: a minute. */
export const DEFAULT_ROLLUP_INTERVAL_MS = 60_000;

/** Options of {@link FleetMonitor}. */
export interface FleetMonitorOptions {
  /**
   * What to probe: services and wizards of the fleet file, health URLs resolved. Validated (schema,
   * unique ids, conditions) before anything starts; an invalid target throws a `TypeError`
   * naming it.
   */
  targets: readonly MonitorTargetInput[];
  /**
   * SQLite file for the history, created (with its directory) when missing, or `':memory:'`.
   * @example './.fleet/monitor.db'
   */
  dbPath: string;
  /** Clock, epoch milliseconds: result times, response times, windows and retention. @default Date.now */
  now?: () => number;
  /** Random numbers in [0, 1): the spread of the first probes over their interval. @default Math.random */
  random?: () => number;
  /** Most probes at once, overall and per host (a target's `host`). */
  concurrency?: {
    /** @default 32 */
    total?: number;
    /** @default 4 */
    perHost?: number;
  };
  /**
   * Answers slower than this make a target `degraded` even when every condition held. Without
   * it, only a failed `[RESPONSE_TIME]` condition does.
   * @example 1000
   */
  slowThresholdMs?: number;
  /** Most bytes of a response body read; a larger body fails `[BODY]` conditions. @default 1048576 */
  maxBodyBytes?: number;
  /**
   * Time between rollups (5-minute and daily aggregates, retention) once started; 0 turns the
   * timer off (call `rollup()` yourself).
   * @default 60000
   */
  rollupIntervalMs?: number;
  /** Where failures of background work (a rollup) are reported. @default silent */
  logger?: Pick<Console, 'warn'>;
}

/** Options of `FleetMonitor.probeNow()`. */
export interface ProbeNowOptions {
  /**
   * Stops waiting: once it aborts, `probeNow()` rejects with its reason (the probes go on, and
   * are recorded as usual).
   * @example AbortSignal.timeout(10_000)
   */
  signal?: AbortSignal;
}

/** {@link FleetMonitorOptions} with their defaults filled in (the targets and file apart). */
export interface ResolvedMonitorOptions {
  now: () => number;
  random: () => number;
  probe: { maxBodyBytes: number; slowThresholdMs: number | null };
  concurrency: { total: number; perHost: number };
  rollupIntervalMs: number;
  logger: Pick<Console, 'warn'> | undefined;
}

/** Fills in the defaults of the options of {@link FleetMonitor}. */
export function resolveMonitorOptions(options: FleetMonitorOptions): ResolvedMonitorOptions {
  return {
    now: options.now ?? Date.now,
    random: options.random ?? Math.random,
    probe: {
      maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
      slowThresholdMs: options.slowThresholdMs ?? null,
    },
    concurrency: {
      total: options.concurrency?.total ?? DEFAULT_MONITOR_CONCURRENCY,
      perHost: options.concurrency?.perHost ?? DEFAULT_MONITOR_CONCURRENCY_PER_HOST,
    },
    rollupIntervalMs: options.rollupIntervalMs ?? DEFAULT_ROLLUP_INTERVAL_MS,
    logger: options.logger,
  };
}

/**
 * A time range of history: instants as epoch milliseconds or ISO 8601 strings. `to` defaults to
 * now, `from` to 24 hours before `to`. Without `resolution`, the finest one kept for the whole
 * range that gives a readable series is chosen: raw results up to 6 hours (within the last 48),
 * 5-minute buckets up to 8 days (within the last 30), days beyond.
 */
export interface HistoryRange {
  from?: number | string;
  to?: number | string;
  resolution?: HistoryResolution;
}
