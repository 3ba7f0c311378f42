import type { DashboardDeployRun, FleetStatus } from '@fleet/sdk';
import {
  type Alerting,
  type AlertMessage,
  buildFleetReport,
  type DeployRunLog,
  type Fleet,
  type FleetMonitor,
  fleetAlertingOptions,
  fleetReportServices,
  monitorReportSource,
  startAlerting,
} from '@fleet/sdk/fleet';
import type { DashboardLogger } from './server.ts';

/** What the dashboard's scheduled reports read besides the monitor. */
export interface DashboardReportInputs {
  /** The dashboard's current fleet status (targets by host, the fleet file's problems). */
  status: () => FleetStatus;
  /** The deploy runs the deployer posted. */
  deploys: DeployRunLog;
  /** The dashboard's clock, epoch ms: the report's period ends now. @default Date.now */
  now?: () => number;
}

/**
 * The dashboard's alerting: runs `startAlerting` on its monitor while the fleet in use has an
 * `alerts` block, and restarts it when a reload changes that block or the host groups (the outbox
 * file stays, so nothing pending is lost). The scheduled reports of `alerts.reports` are built
 * here, from the monitor, the status and deploys the dashboard holds, and the fleet's bus and
 * knowledge services.
 */
export class DashboardAlerting {
  #running: Alerting | undefined;
  #key = '';
  /** Runs already alerted as failed (a later batch of the same run is not a new failure). */
  readonly #failedRuns = new Set<string>();
  /** The fleet in use: a report reads the services it lists when it is built. */
  #fleet: Fleet | undefined;

  constructor(
    private readonly monitor: FleetMonitor,
    private readonly dbPath: string,
    private readonly logger: DashboardLogger | undefined,
    private readonly reports?: DashboardReportInputs,
  ) {}

  /** The alerting running now, if the fleet has an `alerts` block. */
  get current(): Alerting | undefined {
    return this.#running;
  }

  /** Applies the fleet in use (a reload); `undefined` (no valid fleet yet) changes nothing. */
  setFleet(fleet: Fleet | undefined): void {
    if (!fleet) return;
    this.#fleet = fleet;
    const fromFleet = fleetAlertingOptions(fleet);
    const key = JSON.stringify([fleet.alerts ?? null, fromFleet]);
    if (key === this.#key) return;
    this.#key = key;
    this.#running?.close();
    this.#running = undefined;
    if (!fleet.alerts) return;
    this.#running = startAlerting({
      monitor: this.monitor,
      spec: fleet.alerts,
      dbPath: this.dbPath,
      ...fromFleet,
      ...(this.reports === undefined ? {} : { report: this.#buildReport(this.reports) }),
      ...(this.logger === undefined ? {} : { logger: this.logger }),
    });
  }

  /**
   * Builds the scheduled report `name` now and queues it to its channels (outside its schedule).
   * Rejects when alerting is off or there is no such report.
   */
  sendReport(name: string): Promise<AlertMessage> {
    if (!this.#running) return Promise.reject(new Error('the fleet file has no alerts block'));
    return this.#running.sendReport(name);
  }

  #buildReport(inputs: DashboardReportInputs) {
    return (periodMs: number, signal: AbortSignal) => {
      const fleet = this.#fleet;
      return buildFleetReport(
        {
          monitor: monitorReportSource({ monitor: this.monitor, status: inputs.status, deploys: inputs.deploys }),
          ...(fleet === undefined ? {} : fleetReportServices(fleet)),
          ...(fleet?.name === undefined ? {} : { fleet: fleet.name }),
        },
        { periodMs, signal, ...(inputs.now === undefined ? {} : { now: inputs.now }) },
      );
    };
  }

  /**
   * A deploy run the deployer reported: an apply run that ended `failed` is alerted once
   * (`deploy_failed`), per failed host, with the run's problems as the reason.
   */
  deployRun(run: DashboardDeployRun): void {
    if (run.mode !== 'apply' || run.status !== 'failed' || this.#failedRuns.has(run.id)) return;
    this.#failedRuns.add(run.id);
    if (this.#failedRuns.size > 1000) this.#failedRuns.delete(this.#failedRuns.values().next().value!);
    const what = `run ${run.id}${run.commit ? ` (commit ${run.commit})` : ''}`;
    const reason = run.problems.length > 0 ? `${what}: ${run.problems.join('; ')}` : `${what} failed`;
    const failed = run.hosts.filter((host) => host.status === 'failed');
    if (failed.length === 0) this.#running?.deployFailed({ reason });
    for (const host of failed) this.#running?.deployFailed({ host: host.host, reason });
  }

  /** Stops alerting (pending alerts stay in the outbox for the next start). */
  close(): void {
    this.#running?.close();
    this.#running = undefined;
  }
}
