/**
 * `@fleet/dashboard`: the Fleet dashboard (see `fleet-dashboard`). A thin h3 server over the SDK's
 * `FleetMonitor` and `dashboardRoutes`; its presentation is pure functions from SDK data
 * (`FleetStatus`, `ServiceDetail`) to HTML and SVG.
 */

// Server
export { createDashboardServer } from './server.ts';
export { startDashboardServer } from './start-dashboard-server.ts';
export { dashboardRouteImplementations } from './routes.ts';
export { registerDashboardMetrics } from './metrics.ts';

// What the routes read: the fleet, the cached status, the live feed, the browser token check
export { DashboardView } from './dashboard-view.ts';
export { etagMatches, StatusCache } from './status-cache.ts';
export { RecentHistory } from './recent-history.ts';
export { OverviewFeed } from './overview-feed.ts';
export { BrowserAuth, SESSION_COOKIE } from './browser-auth.ts';
export { TrustedProxies } from './trusted-proxies.ts';

// Rendering: pages, sections for live updates, SVG pieces
export {
  clientScript,
  escapeHtml,
  renderBadge,
  renderBus,
  renderCounts,
  renderDeploys,
  renderDeploysPage,
  renderKnowledge,
  renderLatencyChart,
  renderOverview,
  renderPage,
  renderProblems,
  renderServiceDetail,
  renderTargets,
  renderUptimeBar,
} from './render/index.ts';

// Types
export type {
  CreateDashboardServerOptions,
  DashboardLogger,
  DashboardServer,
} from './server.ts';
export type { DashboardServerOptions, RunningDashboardServer } from './start-dashboard-server.ts';
export type { DashboardRouteContext } from './routes.ts';
export type { DashboardViewOptions, FleetSnapshot } from './dashboard-view.ts';
export type { CachedStatus, StatusCacheOptions } from './status-cache.ts';
export type { HistoryReader, RecentHistoryOptions } from './recent-history.ts';
export type { OverviewFeedOptions } from './overview-feed.ts';
export type {
  ClientScriptOptions,
  DeploysPageOptions,
  LatencyChartOptions,
  OverviewOptions,
  PageOptions,
  ServiceDetailOptions,
  TargetsOptions,
  UptimeBarOptions,
} from './render/index.ts';
