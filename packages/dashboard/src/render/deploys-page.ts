import type { DashboardDeployRun, DashboardDeploys } from '@fleet/sdk';
import { renderDeploys } from './deploys.ts';
import { renderDocument } from './internal/document.ts';
import { formatMs, formatTime } from './internal/format.ts';
import { html, raw } from './internal/html.ts';

/** Options of {@link renderDeploysPage}. */
export interface DeploysPageOptions {
  /** Name of the fleet, in the header and the document title. @default 'Fleet' */
  title?: string;
  /** A CSP nonce for the inline `<style>`. */
  nonce?: string;
  /**
   * Link the page's JSON (`/api/...`) in the footer: those routes take only a bearer token, so a
   * dashboard with tokens leaves the link out (a browser's session cookie does not open them).
   * @default true
   */
  apiLinks?: boolean;
}

function runRow(run: DashboardDeployRun) {
  const hosts = run.hosts.map(
    (host) =>
      html`<li data-host="${host.host}" data-status="${host.status}"><code>${host.host}</code> ${host.status}${host.durationMs === undefined ? '' : ` (${formatMs(host.durationMs)})`}${host.rollback ? ` · rollback ${host.rollback}` : ''}</li>`,
  );
  return html`<tr data-run="${run.id}" data-status="${run.status}"><th><code>${run.id}</code></th><td>${run.status}${run.mode === 'plan' ? ' (plan)' : ''}</td><td>${run.trigger}${run.user ? html` <span class="muted">${run.user}</span>` : ''}</td><td>${run.commit ? html`<code>${run.commit}</code>` : '—'}</td><td><time datetime="${run.startedAt}">${formatTime(run.startedAt)}</time></td><td>${run.durationMs === undefined ? '—' : formatMs(run.durationMs)}</td><td><ul class="deploy-hosts">${hosts}</ul>${run.problems.length > 0 ? html`<ul class="deploy-problems">${run.problems.map((problem) => html`<li>${problem}</li>`)}</ul>` : ''}</td></tr>`;
}

/**
 * The deploys page `/deploys` as a complete HTML document: the runs going on now and the last
 * failed one (as on the overview), then the recent runs with trigger, commit, start, duration and
 * each host's result. It reloads itself every 5 seconds while a run is going on, else every 30.
 */
export function renderDeploysPage(deploys: DashboardDeploys, options: DeploysPageOptions = {}): string {
  const title = options.title ?? 'Fleet';
  const running = deploys.runs.some((run) => run.status === 'running');
  const table =
    deploys.runs.length === 0
      ? html`<p class="empty">No deploy has been reported to this dashboard yet.</p>`
      : html`<div class="scroll"><table class="deploys"><thead><tr><th>Run</th><th>Status</th><th>Trigger</th><th>Commit</th><th>Started</th><th>Took</th><th>Hosts</th></tr></thead><tbody>${deploys.runs.map(runRow)}</tbody></table></div>`;
  const body = html`<header class="top"><h1><a href="/">${title}</a> <span class="crumb">/</span> deploys</h1></header><main id="deploys-page">${raw(renderDeploys(deploys))}<section class="card"><h2>Recent deploys</h2>${table}</section>${options.apiLinks === false ? '' : html`<p class="footer"><a href="/api/deploys">JSON</a></p>`}</main>`;
  // No live updater on this page: reloading is its way to stay current, with or without JavaScript.
  const refreshSeconds = running ? 5 : 30;
  return renderDocument({
    title: `Deploys · ${title}`,
    body,
    nonce: options.nonce,
    script: `setTimeout(() => location.reload(), ${refreshSeconds * 1000});`,
    refreshSeconds,
  });
}
