import type { DashboardDeployRun } from '@fleet/sdk';
import { type Alerting, type Fleet, type FleetMonitor, startAlerting } from '@fleet/sdk/fleet';
import type { DashboardLogger } from './server.ts';

/**
 * The dashboard's alerting: runs `startAlerting` on its monitor while the fleet in use has an
 * `alerts` block, and restarts it when a reload changes that block or the host groups (the outbox
 * file stays, so nothing pending is lost).
 */
export class DashboardAlerting {
  #running: Alerting | undefined;
  #key = '';
  /** Runs already alerted as failed (a later batch of the same run is not a new failure). */
  readonly #failedRuns = new Set<string>();

  constructor(
    private readonly monitor: FleetMonitor,
    private readonly dbPath: string,
    private readonly logger: DashboardLogger | undefined,
  ) {}

  /** The alerting running now, if the fleet has an `alerts` block. */
  get current(): Alerting | undefined {
    return this.#running;
  }

  /** Applies the fleet in use (a reload); `undefined` (no valid fleet yet) changes nothing. */
  setFleet(fleet: Fleet | undefined): void {
    if (!fleet) return;
    const hostGroups = Object.fromEntries(Object.entries(fleet.hosts).map(([name, host]) => [name, host.groups]));
    const key = JSON.stringify([fleet.alerts ?? null, hostGroups, fleet.name ?? null]);
    if (key === this.#key) return;
    this.#key = key;
    this.#running?.close();
    this.#running = undefined;
    if (!fleet.alerts) return;
    this.#running = startAlerting({
      monitor: this.monitor,
      spec: fleet.alerts,
      dbPath: this.dbPath,
      hostGroups,
      ...(fleet.name === undefined ? {} : { fleet: fleet.name }),
      ...(this.logger === undefined ? {} : { logger: this.logger }),
    });
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
