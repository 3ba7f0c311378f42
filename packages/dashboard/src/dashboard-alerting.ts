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

  /** Stops alerting (pending alerts stay in the outbox for the next start). */
  close(): void {
    this.#running?.close();
    this.#running = undefined;
  }
}
