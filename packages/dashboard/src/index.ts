/**
 * `@fleet/dashboard`: the Fleet dashboard. Its presentation is pure functions from SDK data
 * (`FleetStatus`, `ServiceDetail`) to HTML and SVG.
 */

// Rendering: pages, sections for live updates, SVG pieces
export {
  clientScript,
  escapeHtml,
  renderBadge,
  renderBus,
  renderCounts,
  renderKnowledge,
  renderLatencyChart,
  renderOverview,
  renderPage,
  renderProblems,
  renderServiceDetail,
  renderTargets,
  renderUptimeBar,
} from './render/index.ts';
export type {
  ClientScriptOptions,
  LatencyChartOptions,
  OverviewOptions,
  PageOptions,
  ServiceDetailOptions,
  TargetsOptions,
  UptimeBarOptions,
} from './render/index.ts';
