import type { FleetMonitor } from '../monitor/fleet-monitor.ts';
import { type AlertDispatch, AlertEngine } from './alert-engine.ts';
import { type AlertHeartbeat, startAlertHeartbeat } from './alert-heartbeat.ts';
import type { AlertMessage } from './alert-message.ts';
import { AlertOutbox, type AlertOutboxOptions } from './alert-outbox.ts';
import type { AlertsSpec } from './alerts-spec.ts';
import { type AlertChannel, createChannel } from './channel-spec.ts';
import { alertLink } from './internal/alert-link.ts';
import { type BuildReport, type ReportScheduler, startReportSchedule } from './report-schedule.ts';

/** Options of {@link startAlerting}. */
export interface StartAlertingOptions {
  /** The monitor whose state changes are alerted (it is not started or closed here). */
  monitor: FleetMonitor;
  /** The fleet file's `alerts` block. */
  spec: AlertsSpec;
  /** The outbox's SQLite file. */
  dbPath: string;
  /** Host groups by host name, for rules and silences that name groups. @default {} */
  hostGroups?: Readonly<Record<string, readonly string[]>>;
  /** The fleet's name, in every title. */
  fleet?: string;
  /**
   * The dashboard's URL, when `spec.dashboardUrl` does not give one: each alert links to its page
   * there (a target's page, the deploys page, the overview). Without either, alerts have no link.
   */
  dashboardUrl?: string;
  /** Clock, epoch ms (the engine's and the outbox's). @default Date.now */
  clock?: () => number;
  /**
   * How often reminders, group waits and silences are checked besides every probe.
   * @default 10000
   */
  tickMs?: number;
  /** The channels by name. @default built from `spec.channels` */
  channels?: ReadonlyMap<string, AlertChannel>;
  /** Outbox settings (retries, backoff). */
  outbox?: Omit<AlertOutboxOptions, 'dbPath' | 'channels' | 'now' | 'logger'>;
  /**
   * Builds the fleet report over the last `periodMs`, for `spec.reports`; without it no report is
   * scheduled, and a warning says so when `spec.reports` has some.
   * @example (periodMs, signal) => buildFleetReport({ ...fleetReportServices(fleet), monitor: source }, { periodMs, signal })
   */
  report?: BuildReport;
  /**
   * Where failed deliveries, heartbeats and report runs are reported.
   * @default silent; but the warning that `spec.reports` cannot be sent (no `report`) goes to `console`
   */
  logger?: Pick<Console, 'warn'>;
}

/** Alerting as started by {@link startAlerting}. */
export interface Alerting {
  readonly engine: AlertEngine;
  readonly outbox: AlertOutbox;
  /** Reports a failed deploy or rollback (from the deployer's events or history). */
  deployFailed(failure: { host?: string; reason: string }): void;
  /** Runs the engine's periodic checks now (what the timer does). */
  tick(): void;
  /** The scheduled reports, when `spec.reports` has some and a `report` builder was given. */
  readonly reports: ReportScheduler | undefined;
  /**
   * Builds the scheduled report `name` now and queues it to its channels (outside its schedule).
   * Rejects when there is no such report, or no reports are scheduled.
   */
  sendReport(name: string): Promise<AlertMessage>;
  /** Unsubscribes from the monitor, stops the timers, the reports and the heartbeat, closes the outbox. */
  close(): void;
}

/**
 * Alerting for a monitor: its state changes and readers' figures go through an {@link AlertEngine}
 * built from the `alerts` block, and the alerts into a durable {@link AlertOutbox}, delivered to
 * the channels; the heartbeat URL, when set, is called every `heartbeat.every`; with a `report`
 * builder, the fleet report is sent on the schedules of `reports` ({@link startReportSchedule}),
 * without one a warning says they will not be. `fleetAlertingOptions(fleet)` gives the fleet's
 * name, the dashboard link and the host groups from the fleet file.
 *
 * @example
 * const alerting = startAlerting({ monitor, spec: fleet.alerts, dbPath: '.fleet/alerts.db', ...fleetAlertingOptions(fleet) });
 * alerting.close();
 */
export function startAlerting(options: StartAlertingOptions): Alerting {
  const { monitor, spec } = options;
  const now = options.clock ?? Date.now;
  const channels =
    options.channels ??
    new Map(Object.entries(spec.channels).map(([name, channel]) => [name, createChannel(name, channel)]));
  const dashboardUrl = spec.dashboardUrl ?? options.dashboardUrl;
  const outbox = new AlertOutbox({
    ...options.outbox,
    dbPath: options.dbPath,
    channels,
    now,
    ...(dashboardUrl === undefined ? {} : { link: (message: AlertMessage) => alertLink(dashboardUrl, message) }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  });
  const engine = new AlertEngine({
    spec,
    now,
    // Silences set with `fleet silence` live in the outbox's file.
    silences: () => outbox.silences(),
    // What was alerted survives a restart: no repeated down, no missed recovered.
    memory: outbox.engineMemory(),
    ...(options.hostGroups === undefined ? {} : { hostGroups: options.hostGroups }),
    ...(options.fleet === undefined ? {} : { fleet: options.fleet }),
  });
  // What the engine records as told commits in the transaction that queues it: an enqueue that
  // fails (or a crash before it) leaves the alert untold, and the next pass sends it.
  const send = (pass: () => AlertDispatch[]) =>
    engine.atomically(() => {
      for (const { message, channels: names } of pass()) outbox.enqueue(message, names);
    });
  const known = new Set<string>();
  const syncTargets = () => {
    const statuses = monitor.statuses();
    known.clear();
    for (const status of statuses) known.add(status.id);
    send(() => engine.setTargets(statuses));
  };
  syncTargets();
  outbox.start();
  const unsubscribe = [
    monitor.onTransition((transition) => {
      if (!known.has(transition.target)) syncTargets();
      send(() => engine.transition(transition));
    }),
    monitor.onProbe((result) => {
      const kind = monitor.status(result.target)?.kind;
      if (kind === 'bus') send(() => engine.observeBus(monitor.busBacklogs()));
      else if (kind === 'knowledge') send(() => engine.observeKnowledge(monitor.knowledgeSync()));
      else send(() => engine.tick());
    }),
  ];
  // The fleet file may have been reloaded: the monitor's targets are re-read on every tick. A tick
  // that fails (its alerts could not be queued: a full disk) must not end the process: they stay
  // untold and a later tick queues them. Said once per streak of failures.
  let tickFailing = false;
  const timer = setInterval(() => {
    try {
      syncTargets();
      tickFailing = false;
    } catch (error) {
      if (!tickFailing) {
        (options.logger ?? console).warn(
          `fleet alerts: queueing alerts failed, a later tick retries (logged once until it works again): ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      tickFailing = true;
    }
  }, options.tickMs ?? 10_000);
  timer.unref();
  let heartbeat: AlertHeartbeat | undefined;
  if (spec.heartbeat) {
    heartbeat = startAlertHeartbeat({
      url: spec.heartbeat.url,
      everyMs: spec.heartbeat.every,
      ...(options.logger === undefined ? {} : { logger: options.logger }),
    });
  }
  if (options.report === undefined && spec.reports.length > 0) {
    // A schedule that never runs must not go unnoticed, even by a caller that passed no logger.
    const names = spec.reports.map((report) => report.name).join(', ');
    (options.logger ?? console).warn(
      `fleet alerts: alerts.reports schedules ${names}, but startAlerting was given no report builder: none of them will be sent (pass its \`report\` option)`,
    );
  }
  const reports =
    options.report !== undefined && spec.reports.length > 0
      ? startReportSchedule({
          schedules: spec.reports,
          build: options.report,
          outbox,
          now,
          ...(options.fleet === undefined ? {} : { fleet: options.fleet }),
          ...(options.logger === undefined ? {} : { logger: options.logger }),
        })
      : undefined;
  return {
    engine,
    outbox,
    deployFailed: (failure) => send(() => engine.deployFailed(failure)),
    tick: syncTargets,
    reports,
    sendReport: async (name) => {
      if (!reports) {
        throw new Error(
          spec.reports.length === 0 ? 'the alerts block schedules no reports' : 'this process cannot build reports',
        );
      }
      return reports.send(name);
    },
    close: () => {
      for (const off of unsubscribe) off();
      clearInterval(timer);
      reports?.close();
      heartbeat?.stop();
      outbox.close();
    },
  };
}
