/**
 * The dashboard's presentation: pure functions from SDK data (`FleetStatus`, `ServiceDetail`) to
 * HTML and SVG strings, and the live updater's source. All text is escaped.
 */

export { renderBadge } from './badge.ts';
export { renderBus } from './bus.ts';
export type { ClientScriptOptions } from './client-script.ts';
export { clientScript } from './client-script.ts';
export { renderCounts } from './counts.ts';
export { renderDeploys } from './deploys.ts';
export type { DeploysPageOptions } from './deploys-page.ts';
export { renderDeploysPage } from './deploys-page.ts';
export { escapeHtml } from './escape-html.ts';
export { renderKnowledge } from './knowledge.ts';
export type { LatencyChartOptions } from './latency-chart.ts';
export { renderLatencyChart } from './latency-chart.ts';
export type { OverviewOptions } from './overview.ts';
export { renderOverview } from './overview.ts';
export type { PageOptions } from './page.ts';
export { renderPage } from './page.ts';
export { renderProblems } from './problems.ts';
export type { ServiceDetailOptions } from './service-detail.ts';
export { renderServiceDetail } from './service-detail.ts';
export type { TargetsOptions } from './targets.ts';
export { renderTargets } from './targets.ts';
export type { UptimeBarOptions } from './uptime-bar.ts';
export { renderUptimeBar } from './uptime-bar.ts';
