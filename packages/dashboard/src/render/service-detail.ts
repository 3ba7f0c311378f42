import type { HistoryBucket, ServiceDetail, StateTransition } from '@fleet/sdk';
import { renderDocument } from './internal/document.ts';
import { fillGaps } from './internal/fill-gaps.ts';
import { formatMs, formatPercent, formatTime } from './internal/format.ts';
import { html, raw, type SafeHtml } from './internal/html.ts';
import { timeAgo } from './internal/parts.ts';
import { statePill } from './internal/states.ts';
import { renderLatencyChart } from './latency-chart.ts';
import { renderUptimeBar } from './uptime-bar.ts';

/** Options of {@link renderServiceDetail}. */
export interface ServiceDetailOptions {
  /**
   * The time "since" and "last check" are measured from, in epoch milliseconds.
   * @default Date.now()
   */
  now?: number;
  /**
   * Name of the fleet, in the header and the document title.
   * @default 'Fleet'
   */
  title?: string;
  /**
   * Seconds after which the page reloads itself (0: never); it has no live updates.
   * @default 60
   */
  refreshSeconds?: number;
  /** A CSP nonce for the inline `<style>`. */
  nonce?: string;
}

/**
 * The detail page of one target (`/services/<id>`) as a complete HTML document: its state, URL
 * and last probe; uptime over 1 h, 24 h, 7 d and 30 d; an uptime bar (one segment per history
 * bucket, buckets without probes up to `now` included); a latency chart of p50 and p95 (broken
 * where nothing was probed; drawn twice, wide and narrow, and the stylesheet shows the one that
 * keeps its labels legible on the screen at hand); and the recent state transitions. No JavaScript.
 *
 * @example
 * renderServiceDetail(await monitor.detail('bus'))
 */
export function renderServiceDetail(detail: ServiceDetail, options: ServiceDetailOptions = {}): string {
  const { status, history, transitions } = detail;
  const now = options.now ?? Date.now();
  const title = options.title ?? 'Fleet';
  // Buckets without probes are drawn: the bar greys them, the chart breaks its lines there.
  const timeline = fillGaps(history, now);
  const url = /^https?:\/\//i.test(status.url) ? html`<a href="${status.url}">${status.url}</a>` : status.url;
  const uptime = (['1h', '24h', '7d', '30d'] as const).map(
    (window) =>
      html`<div class="stat" data-window="${window}"><dt>Uptime ${window.replace(/(\d)([hd])/, '$1 $2')}</dt><dd>${formatPercent(status.uptime[window])}</dd></div>`,
  );
  const body = html`<header class="top"><h1><a href="/">${title}</a> <span class="crumb">/</span> ${status.id}</h1></header>
<main id="service" data-target="${status.id}" data-state="${status.state}">
<section class="card" id="summary"><h2>${status.id} ${statePill(status.state)} <span class="meta">since ${timeAgo(status.since, now)}</span></h2><dl class="facts"><dt>Kind</dt><dd>${status.kind}</dd><dt>Host</dt><dd>${status.host}</dd><dt>Health URL</dt><dd><code>${url}</code></dd><dt>Last check</dt><dd>${timeAgo(status.lastCheckAt, now)}</dd><dt>Last response</dt><dd>${formatMs(status.lastResponseTimeMs)}</dd>${status.lastError ? html`<dt>Last error</dt><dd class="error">${status.lastError}</dd>` : ''}</dl></section>
<section class="card" id="uptime"><h2>Uptime</h2><dl class="stats">${uptime}</dl>${raw(renderUptimeBar(timeline, { height: 28, label: `Uptime of ${status.id}` }))}${historyRange(history)}</section>
<section class="card" id="latency"><h2>Response time</h2><dl class="stats"><div class="stat"><dt>p50, 24 h</dt><dd>${formatMs(status.latency.p50Ms)}</dd></div><div class="stat"><dt>p95, 24 h</dt><dd>${formatMs(status.latency.p95Ms)}</dd></div></dl>${latencyCharts(timeline)}</section>
<section class="card" id="transitions"><h2>Recent state changes</h2>${transitionsTable(transitions, now)}</section>
</main>`;
  return renderDocument({
    title: `${status.id} (${status.state}) · ${title}`,
    body,
    nonce: options.nonce,
    refreshSeconds: options.refreshSeconds ?? 60,
  });
}

function latencyCharts(timeline: readonly HistoryBucket[]): SafeHtml {
  const wide = renderLatencyChart(timeline);
  // About as many units wide as a phone has pixels, so 12-unit labels stay about 12 px tall.
  const narrow = renderLatencyChart(timeline, { width: 360, height: 220, fontSize: 12 });
  return html`<div class="chart-wide">${raw(wide)}</div><div class="chart-narrow">${raw(narrow)}</div>`;
}

function historyRange(history: readonly HistoryBucket[]): SafeHtml {
  const first = history[0];
  const last = history[history.length - 1];
  if (!first || !last) return html`<p class="empty">No history yet.</p>`;
  return html`<p class="meta">${history.length} bucket${history.length === 1 ? '' : 's'} (${first.resolution}) from ${formatTime(first.start)} to ${formatTime(last.start)}</p>`;
}

function transitionsTable(transitions: readonly StateTransition[], now: number): SafeHtml {
  if (transitions.length === 0) return html`<p class="empty">No state changes recorded.</p>`;
  const rows = transitions.map(
    (t) =>
      html`<tr data-from="${t.from}" data-to="${t.to}"><td>${timeAgo(t.at, now)}</td><td>${statePill(t.from)}</td><td>${statePill(t.to)}</td><td>${t.reason ?? html`<span class="muted">—</span>`}</td></tr>`,
  );
  return html`<div class="scroll"><table><thead><tr><th scope="col">When</th><th scope="col">From</th><th scope="col">To</th><th scope="col">Reason</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}
