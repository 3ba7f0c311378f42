import { dirname, join } from 'node:path';
import { DEFAULT_PORTS } from '@fleet/sdk';
import {
  type AlertMessage,
  DeployRunLog,
  type Fleet,
  type FleetFileSnapshot,
  type FleetFileWatcher,
  FleetMonitor,
  type FleetMonitorOptions,
  formatProblem,
  type WatchFleetFileOptions,
  watchFleetFile,
} from '@fleet/sdk/fleet';
import type { FleetServer } from '@fleet/sdk/server';
import { DashboardAlerting } from './dashboard-alerting.ts';
import type { DashboardView, FleetSnapshot } from './dashboard-view.ts';
import { type CreateDashboardServerOptions, createDashboardServer, type DashboardLogger } from './server.ts';

/** Options of {@link startDashboardServer}. */
export interface DashboardServerOptions
  extends Pick<
    CreateDashboardServerOptions,
    | 'title'
    | 'tokens'
    | 'allowedHosts'
    | 'trustProxy'
    | 'deployWindowMs'
    | 'liveIntervalMs'
    | 'statusRebuildMs'
    | 'historyRefreshMs'
    | 'sseKeepAliveMs'
    | 'logger'
  > {
  /**
   * The fleet file; it is watched, and every valid new version replaces the fleet in use. A missing
   * or invalid file does not stop the dashboard: its problems are shown (and logged) until it is fixed.
   * @default './fleet.yaml' (unless `fleet` is given)
   */
  config?: string;
  /** A fleet in memory instead of a file (e.g. `fleet up`); nothing is watched. */
  fleet?: Fleet;
  /** Address to bind. @default '127.0.0.1' */
  host?: string;
  /** Port to bind; 0 picks a free one. @default 8652 */
  port?: number;
  /** SQLite file of the monitor's history (created with its directory), or `:memory:`. @default './fleet-dashboard.db' */
  db?: string;
  /**
   * SQLite file of the alert outbox, used when the fleet has an `alerts` block (what `fleet alerts`
   * reads). @default 'fleet-alerts.db' next to `db` (`:memory:` with it)
   */
  alertsDb?: string;
  /** Allow binding a non-loopback address without tokens. @default false */
  insecure?: boolean;
  /** Options of the `FleetMonitor` (clock, concurrency, slow threshold, ...). */
  monitorOptions?: Omit<FleetMonitorOptions, 'targets' | 'dbPath'>;
  /**
   * Start probing on each target's interval once listening; false leaves probing to
   * `monitor.probeNow()` (tests, one-shot tools).
   * @default true
   */
  probe?: boolean;
  /** How the fleet file is watched (debounce, polling interval). */
  watch?: Omit<WatchFleetFileOptions, 'env'>;
}

/** A dashboard that is listening. */
export interface RunningDashboardServer {
  /** Base URL, e.g. `http://127.0.0.1:8652`. */
  url: string;
  /** The bound port (useful with `port: 0`). */
  port: number;
  /** The monitor behind the dashboard (`probeNow()`, `markDeploying()`, ...). */
  monitor: FleetMonitor;
  /** The fleet in use and the cached status. */
  view: DashboardView;
  /** The underlying Fleet server. */
  server: FleetServer;
  /** Reads the fleet file now instead of waiting for the watcher (no-op for an in-memory fleet). */
  reload(): Promise<void>;
  /**
   * Builds the scheduled report `name` (`alerts.reports`) now and queues it to its channels,
   * outside its schedule. Rejects when the fleet has no alerts block or no such report.
   */
  sendReport(name: string): Promise<AlertMessage>;
  /** Stops accepting, ends the event streams, stops watching and probing, closes the history. */
  close(): Promise<void>;
}

function logProblems(snapshot: FleetFileSnapshot, logger: DashboardLogger | undefined): void {
  for (const problem of snapshot.problems) logger?.warn(`fleet-dashboard: ${formatProblem(problem)}`);
  if (snapshot.stale) {
    logger?.warn(
      snapshot.fleet
        ? `fleet-dashboard: ${snapshot.file} has errors; still showing its last valid version`
        : `fleet-dashboard: ${snapshot.file} has errors; no fleet to show until they are fixed`,
    );
  }
}

/**
 * Loads the fleet (a watched file, or one in memory), opens the monitor's history, starts the
 * dashboard server and listens, then starts probing.
 *
 * @example
 * const dashboard = await startDashboardServer({ config: 'fleet.yaml', port: 8652 });
 * console.log(`dashboard on ${dashboard.url}`);
 * // later
 * await dashboard.close();
 */
export async function startDashboardServer(options: DashboardServerOptions = {}): Promise<RunningDashboardServer> {
  const { logger } = options;
  let view: DashboardView | undefined;
  let alerting: DashboardAlerting | undefined;
  let watcher: FleetFileWatcher | undefined;
  let snapshot: FleetSnapshot;
  if (options.fleet) {
    snapshot = { fleet: options.fleet, file: null, problems: [] };
  } else {
    const onChange = (next: FleetFileSnapshot) => {
      logProblems(next, logger);
      if (!next.stale) logger?.info(`fleet-dashboard: reloaded ${next.file}`);
      view?.setFleet({ fleet: next.fleet, file: next.file, problems: next.problems });
      alerting?.setFleet(next.fleet);
    };
    watcher = await watchFleetFile(options.config ?? './fleet.yaml', onChange, options.watch ?? {});
    const { fleet, file, problems } = watcher.current;
    logProblems(watcher.current, logger);
    snapshot = { fleet, file, problems };
  }

  let monitor: FleetMonitor;
  let deploys: DeployRunLog;
  const dbPath = options.db ?? './fleet-dashboard.db';
  try {
    monitor = new FleetMonitor({
      ...options.monitorOptions,
      targets: [],
      dbPath,
      ...(logger && !options.monitorOptions?.logger ? { logger } : {}),
    });
    try {
      deploys = new DeployRunLog({
        dbPath,
        ...(options.monitorOptions?.now ? { now: options.monitorOptions.now } : {}),
      });
    } catch (error) {
      monitor.close();
      throw error;
    }
  } catch (error) {
    // The history file cannot be opened: stop watching the fleet file before giving up.
    watcher?.close();
    throw error;
  }
  const stopWatching = watcher ? () => watcher.close() : undefined;
  const { title, tokens, allowedHosts, trustProxy, liveIntervalMs, statusRebuildMs, historyRefreshMs, sseKeepAliveMs } =
    options;
  const dashboard = createDashboardServer({
    ...(title === undefined ? {} : { title }),
    ...(tokens === undefined ? {} : { tokens }),
    ...(allowedHosts === undefined ? {} : { allowedHosts }),
    ...(trustProxy === undefined ? {} : { trustProxy }),
    ...(options.deployWindowMs === undefined ? {} : { deployWindowMs: options.deployWindowMs }),
    deploys,
    onDeployRun: (run) => alerting?.deployRun(run),
    alerts: (limit) => {
      const running = alerting?.current;
      const deliveries = running ? running.outbox.recent({ limit }) : [];
      return { enabled: running !== undefined, deliveries, count: deliveries.length };
    },
    ...(liveIntervalMs === undefined ? {} : { liveIntervalMs }),
    ...(statusRebuildMs === undefined ? {} : { statusRebuildMs }),
    ...(historyRefreshMs === undefined ? {} : { historyRefreshMs }),
    ...(sseKeepAliveMs === undefined ? {} : { sseKeepAliveMs }),
    ...(logger === undefined ? {} : { logger }),
    monitor,
    fleet: snapshot,
    ...(options.monitorOptions?.now ? { now: options.monitorOptions.now } : {}),
    ...(stopWatching ? { onClose: stopWatching } : {}),
  });
  view = dashboard.view;
  const { server } = dashboard;
  let address: { url: string; port: number };
  try {
    address = await server.listen({
      host: options.host ?? '127.0.0.1',
      port: options.port ?? DEFAULT_PORTS.dashboard,
      insecure: options.insecure ?? false,
    });
  } catch (error) {
    await server.close();
    throw error;
  }
  const dbDir = dbPath === ':memory:' ? undefined : dirname(dbPath);
  const alertsDb = options.alertsDb ?? (dbDir === undefined ? ':memory:' : join(dbDir, 'fleet-alerts.db'));
  const dashboardView = view;
  alerting = new DashboardAlerting(monitor, alertsDb, logger, {
    // The status the dashboard serves (its problems included); fresh, as a report is rare.
    status: () => dashboardView.status(true).status,
    deploys,
    ...(options.monitorOptions?.now ? { now: options.monitorOptions.now } : {}),
  });
  try {
    alerting.setFleet(snapshot.fleet);
  } catch (error) {
    await server.close();
    throw error;
  }
  if (options.probe !== false) monitor.start();
  return {
    url: address.url,
    port: address.port,
    monitor,
    view,
    server,
    reload: async () => {
      await watcher?.reload();
    },
    sendReport: (name) => alerting.sendReport(name),
    close: async () => {
      alerting?.close();
      await server.close();
    },
  };
}
