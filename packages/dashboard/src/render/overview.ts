import type { DashboardDeploys, FleetStatus } from '@fleet/sdk';
import { renderBus } from './bus.ts';
import { renderCounts } from './counts.ts';
import { renderDeploys } from './deploys.ts';
import { formatTime } from './internal/format.ts';
import { html, raw } from './internal/html.ts';
import { documentTitle } from './internal/title.ts';
import { renderKnowledge } from './knowledge.ts';
import { renderProblems } from './problems.ts';
import { renderTargets, type TargetsOptions } from './targets.ts';

/** Options of {@link renderOverview}; also accepted by `renderPage`. */
export interface OverviewOptions extends TargetsOptions {
  /**
   * Name of the fleet, first part of the document title (the live updater keeps the title current).
   * @default 'Fleet'
   */
  title?: string;
  /** The deploys to show at the top: runs going on now and the last failed one (see `renderDeploys`). */
  deploys?: DashboardDeploys;
  /**
   * Link the page's JSON (`/api/...`) in the footer: those routes take only a bearer token, so a
   * dashboard with tokens leaves the link out (a browser's session cookie does not open them).
   * @default true
   */
  apiLinks?: boolean;
}

/**
 * The whole live part of the page, `<main id="overview">`: deploys going on or failed, counts, the fleet file's problems,
 * targets by host, bus backlog and knowledge sync. Its `data-title` is the document title for
 * this status (`Fleet · 1 down`). This is the fragment the server sends in `overview` events
 * (see {@link clientScript}); the sections are also available one by one (`renderCounts`,
 * `renderProblems`, `renderTargets`, `renderBus`, `renderKnowledge`).
 *
 * @example
 * const html = renderOverview(status, { history })
 * // server: send `event: overview` with data JSON.stringify({ html })
 */
export function renderOverview(status: FleetStatus, options: OverviewOptions = {}): string {
  const now = options.now ?? Date.parse(status.generatedAt);
  return html`<main id="overview" data-generated-at="${status.generatedAt}" data-title="${documentTitle(status, options.title)}">${options.deploys ? raw(renderDeploys(options.deploys)) : ''}${raw(renderCounts(status))}${raw(renderProblems(status.problems, status.file))}${raw(renderTargets(status, { ...options, now }))}<div class="panels">${raw(renderBus(status.bus, now))}${raw(renderKnowledge(status.knowledge, now))}</div><p class="footer">Generated <time datetime="${status.generatedAt}">${formatTime(status.generatedAt)}</time>${status.file ? html` from <code>${status.file}</code>` : ''} · <a href="/deploys">Deploys</a> · <a href="/alerts">Alerts</a>${options.apiLinks === false ? '' : html` · <a href="/api/status">JSON</a>`}</p></main>`
    .value;
}
