import type { AlertDeliveries } from '../alerts/alert-delivery.ts';
import { callRoute } from '../client/call-route.ts';
import { FleetClient, type FleetClientOptions } from '../client/fleet-client.ts';
import type { CallOptions } from '../client/http-client.ts';
import { type StreamOptions, streamRoute } from '../client/stream-route.ts';
import type { FleetStatus } from '../schemas/fleet-status.ts';
import type { HistoryResolution, ServiceDetail, TargetStatus } from '../schemas/monitor.ts';
import type { DashboardDeploys, DeployEventsAccepted, DeployEventsInput } from './deploy-status.ts';
import { type DashboardEvent, dashboardRoutes } from './routes.ts';

/** Options of {@link DashboardClient}: those of every Fleet client, with the dashboard's URL. */
export interface DashboardClientOptions extends FleetClientOptions {
  /**
   * Base URL of the dashboard.
   * @example 'http://127.0.0.1:8652'
   */
  url: string;
}

/**
 * The history range of {@link DashboardClient.service}: instants as `Date`, epoch milliseconds or
 * ISO 8601 strings.
 */
export interface ServiceRangeInit {
  /** @default 24 hours before `to` */
  from?: Date | number | string;
  /** @default now */
  to?: Date | number | string;
  /** @default the finest resolution kept for the whole range */
  resolution?: HistoryResolution;
}

function instant(value: Date | number | string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (value instanceof Date) return value.toISOString();
  return String(value);
}

/**
 * The typed client of a Fleet dashboard: the fleet's status, one wizard, one service with its
 * history, and the live page updates, plus `/health`, `/metrics` and `/openapi.json` (from
 * {@link FleetClient}). Every answer is validated with the schema the dashboard built it from.
 *
 * Error answers are thrown as `FleetHttpError` (`not_found` for an unknown id), an unreachable
 * dashboard as `FleetConnectionError`, a success answer that breaks the contract as
 * `ResponseValidationError`. Every method takes {@link CallOptions} (`signal`, `timeoutMs`) last.
 *
 * @example
 * ```ts
 * const dashboard = new DashboardClient({ url: 'http://127.0.0.1:8652' });
 * const status = await dashboard.status();
 * for (const host of status.hosts) for (const target of host.targets) console.log(host.name, target.id, target.state);
 * ```
 */
export class DashboardClient extends FleetClient {
  /** The whole fleet: targets by host, counts per state, bus backlogs, sync lag, fleet-file problems. */
  status(options?: CallOptions): Promise<FleetStatus> {
    return callRoute(this.http, dashboardRoutes.status, {}, options);
  }

  /** The status of one wizard; a `FleetHttpError` with code `not_found` when no wizard has that name. */
  wizard(id: string, options?: CallOptions): Promise<TargetStatus> {
    return callRoute(this.http, dashboardRoutes.wizard, { params: { id } }, options);
  }

  /**
   * One service or wizard with its history over `range` (default: the last 24 hours) and its
   * latest state transitions; `not_found` when the fleet has no target of that name.
   *
   * @example
   * await dashboard.service('bus', { from: Date.now() - 3_600_000, resolution: 'raw' });
   */
  service(id: string, range: ServiceRangeInit = {}, options?: CallOptions): Promise<ServiceDetail> {
    const query = {
      from: instant(range.from),
      to: instant(range.to),
      ...(range.resolution ? { resolution: range.resolution } : {}),
    };
    return callRoute(this.http, dashboardRoutes.service, { params: { id }, query }, options);
  }

  /**
   * Recent deploy runs, newest first (`limit`, default 20), live while running, and the last
   * finished apply run when it failed.
   */
  deploys(limit?: number, options?: CallOptions): Promise<DashboardDeploys> {
    return callRoute(this.http, dashboardRoutes.deploys, { query: limit === undefined ? {} : { limit } }, options);
  }

  /** The alerts the dashboard sent, gave up on or is still sending, newest first (`limit`, default 50). */
  alerts(limit?: number, options?: CallOptions): Promise<AlertDeliveries> {
    return callRoute(this.http, dashboardRoutes.alerts, { query: limit === undefined ? {} : { limit } }, options);
  }

  /**
   * Tells the dashboard about some events of a deploy run (the deployer's `onEvent`, in order):
   * while a host is between its `host_started` and `host_finished`, its targets show `deploying`.
   * Needs the dashboard's bearer token when it has any. See `dashboardDeployReporter` for a
   * best-effort forwarder.
   */
  postDeployEvents(input: DeployEventsInput, options?: CallOptions): Promise<DeployEventsAccepted> {
    return callRoute(this.http, dashboardRoutes.deployEvents, { body: input }, options);
  }

  /**
   * The page's live updates (Server-Sent Events): the current overview's HTML at once, then a new
   * one whenever the fleet changes. Ends when `signal` aborts, the dashboard closes the stream, or
   * the loop breaks.
   */
  events(options: StreamOptions = {}): AsyncGenerator<DashboardEvent, void, undefined> {
    return streamRoute(this.http, dashboardRoutes.events, {}, options);
  }
}
