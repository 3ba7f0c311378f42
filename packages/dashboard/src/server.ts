import { createRequire } from 'node:module';
import type { AlertDeliveries, DashboardDeployRun } from '@fleet/sdk';
import { DeployRunLog, type FleetMonitor, restoreDeployWindows } from '@fleet/sdk/fleet';
import { createFleetServer, DEFAULT_SSE_KEEPALIVE_MS, type FleetServer } from '@fleet/sdk/server';
import { BrowserAuth } from './browser-auth.ts';
import { DashboardView, type FleetSnapshot } from './dashboard-view.ts';
import { registerDashboardMetrics } from './metrics.ts';
import { OverviewFeed } from './overview-feed.ts';
import { renderOverview } from './render/overview.ts';
import { dashboardRouteImplementations } from './routes.ts';
import { TrustedProxies } from './trusted-proxies.ts';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

/** How many recent runs the overview looks at for the ones going on now. */
const OVERVIEW_DEPLOYS = 10;

/** Where the dashboard reports what goes wrong; never given tokens. */
export type DashboardLogger = Pick<Console, 'info' | 'warn' | 'error'>;

/** Options of {@link createDashboardServer}. */
export interface CreateDashboardServerOptions {
  /** The monitor of the fleet's targets. The server sets its targets, and stops and closes it when it closes. */
  monitor: FleetMonitor;
  /** The fleet to show first; later ones through `view.setFleet`. */
  fleet: FleetSnapshot;
  /** Name in the header and the document title. @default the fleet's `name`, else 'Fleet' */
  title?: string;
  /**
   * Bearer tokens. When any is set, the JSON API and `/metrics` need `Authorization: Bearer`, and the
   * pages, badges and event stream accept the header or a session cookie (opening a page with
   * `?token=<token>` sets it); `/health` and `/openapi.json` stay open.
   * @default []
   */
  tokens?: string[];
  /**
   * Without tokens: the `Host` names the pages, badges and API answer besides IP addresses and
   * `localhost` (a name, `.domain` for it and its subdomains, or `*`); see
   * `FleetServerOptions.allowedHosts`. @default []
   */
  allowedHosts?: string[];
  /**
   * Addresses (exact IPs or CIDR ranges) of TLS-terminating proxies in front of the dashboard. Only
   * when a request's TCP peer is one of them does `X-Forwarded-Proto: https` count as HTTPS (the
   * session cookie is then `Secure`); from any other peer the header is ignored.
   * @default []
   * @example ['127.0.0.1', '10.0.0.0/8']
   */
  trustProxy?: string[];
  /**
   * Where the deploy runs posted to `/api/deploys/events` are kept; the server closes it when it
   * closes. @default an in-memory log
   */
  deploys?: DeployRunLog;
  /** How long a host's deploy window lasts without news of its deploy, in ms. @default 900000 (15 minutes) */
  deployWindowMs?: number;
  /** The newest `limit` alert deliveries, for `/api/alerts` and `/alerts`. @default alerting off */
  alerts?: (limit: number) => AlertDeliveries;
  /** Hears of every deploy run after a batch of its events arrived (alerting: `deploy_failed`). */
  onDeployRun?: (run: DashboardDeployRun) => void;
  /** Least time between two live updates sent to the pages, in ms. @default 250 */
  liveIntervalMs?: number;
  /** Least time between two rebuilds of the cached `/api/status`, in ms (its most staleness). @default 100 */
  statusRebuildMs?: number;
  /** How long the overview's uptime bars reuse a target's history, in ms. @default 60000 */
  historyRefreshMs?: number;
  /**
   * Interval of the keepalive `ping` event on `/api/events`, in ms; keep it well below the 45 s after
   * which Fleet's clients take a silent stream as lost (`idleTimeoutMs`). The page takes three
   * intervals without a word as a dead connection. @default 15000
   */
  sseKeepAliveMs?: number;
  /** How long a badge may be cached, in seconds. @default 10 */
  badgeMaxAgeSeconds?: number;
  /** Clock, epoch ms; give the monitor the same one. @default Date.now */
  now?: () => number;
  /** Where the server reports errors. @default silent */
  logger?: DashboardLogger;
  /** Runs after the server and the monitor closed (e.g. to stop a fleet file watcher). */
  onClose?: () => Promise<void> | void;
}

/** A dashboard server that is not listening yet, and the view its routes read. */
export interface DashboardServer {
  /** The underlying Fleet server (`listen`, `fetch`, `close`). */
  server: FleetServer;
  /** The fleet, the monitor and the cached status; `view.setFleet()` shows a new fleet. */
  view: DashboardView;
}

/**
 * The dashboard as an unstarted Fleet server over a monitor (tests use `server.fetch` in-process).
 * It does not start the monitor: its owner decides when probing begins (`monitor.start()`).
 *
 * @example
 * const monitor = new FleetMonitor({ targets: [], dbPath: ':memory:' });
 * const { server, view } = createDashboardServer({ monitor, fleet: { fleet, file: null, problems: [] } });
 * await server.listen({ port: 8652 });
 * monitor.start();
 */
export function createDashboardServer(options: CreateDashboardServerOptions): DashboardServer {
  const { monitor, logger } = options;
  const view = new DashboardView({
    monitor,
    snapshot: options.fleet,
    ...(options.title === undefined ? {} : { title: options.title }),
    ...(options.statusRebuildMs === undefined ? {} : { statusRebuildMs: options.statusRebuildMs }),
    ...(options.historyRefreshMs === undefined ? {} : { historyRefreshMs: options.historyRefreshMs }),
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  const deploys = options.deploys ?? new DeployRunLog({ dbPath: ':memory:' });
  // A restart during a deploy keeps its hosts `deploying` (the view set the fleet's targets).
  restoreDeployWindows(monitor, deploys, options.deployWindowMs);
  const tokens = (options.tokens ?? []).filter((token) => token.trim() !== '');
  const feed = new OverviewFeed(view, {
    render: ({ status }) =>
      renderOverview(status, {
        history: view.history(),
        title: view.title,
        deploys: deploys.deploys(OVERVIEW_DEPLOYS),
        apiLinks: tokens.length === 0,
      }),
    ...(options.liveIntervalMs === undefined ? {} : { intervalMs: options.liveIntervalMs }),
  });
  const proxies = new TrustedProxies(options.trustProxy ?? []);
  let stopMetrics: (() => void) | undefined;
  const server = createFleetServer({
    service: 'fleet-dashboard',
    version,
    routes: dashboardRouteImplementations({
      view,
      feed,
      auth: tokens.length > 0 ? new BrowserAuth(tokens) : undefined,
      proxies,
      deploys,
      ...(options.deployWindowMs === undefined ? {} : { deployWindowMs: options.deployWindowMs }),
      ...(options.badgeMaxAgeSeconds === undefined ? {} : { badgeMaxAgeSeconds: options.badgeMaxAgeSeconds }),
      ...(options.alerts === undefined ? {} : { alerts: options.alerts }),
      ...(options.onDeployRun === undefined ? {} : { onDeployRun: options.onDeployRun }),
      // The page takes three keepalive intervals without a word as a dead connection.
      liveStaleAfterMs: 3 * (options.sseKeepAliveMs ?? DEFAULT_SSE_KEEPALIVE_MS),
    }),
    tokens,
    ...(options.allowedHosts === undefined ? {} : { allowedHosts: options.allowedHosts }),
    ...(options.sseKeepAliveMs === undefined ? {} : { sseKeepAliveMs: options.sseKeepAliveMs }),
    ...(logger ? { logger } : {}),
    health: () => ({ targets: monitor.statuses().length }),
    metrics: (registry) => {
      stopMetrics = registerDashboardMetrics(registry, view, feed);
    },
    onClose: async () => {
      feed.close();
      stopMetrics?.();
      view.close();
      deploys.close();
      try {
        await monitor.stop();
      } finally {
        monitor.close();
        await options.onClose?.();
      }
    },
  });
  return { server, view };
}
