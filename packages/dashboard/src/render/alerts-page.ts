import type { AlertDeliveries } from '@fleet/sdk';
import { renderDocument } from './internal/document.ts';
import { formatTime } from './internal/format.ts';
import { html } from './internal/html.ts';

/** Options of {@link renderAlertsPage}. */
export interface AlertsPageOptions {
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

function deliveryRow(delivery: AlertDeliveries['deliveries'][number]) {
  const at = delivery.finishedAt ?? delivery.createdAt;
  const { message } = delivery;
  return html`<tr data-status="${delivery.status}" data-kind="${message.kind}"><td><time datetime="${at}">${formatTime(at)}</time></td><td>${delivery.status}</td><td><code>${delivery.channel}</code></td><td>${message.kind}</td><td title="${message.text}">${message.title}</td><td>${String(delivery.attempts)}${delivery.error ? html` <span class="muted">${delivery.error}</span>` : ''}</td></tr>`;
}

/**
 * The alerts page `/alerts` as a complete HTML document: every alert the dashboard sent, gave up
 * on or is still sending, newest first, with its channel, attempts and last error. It reloads
 * itself every 30 seconds.
 */
export function renderAlertsPage(alerts: AlertDeliveries, options: AlertsPageOptions = {}): string {
  const title = options.title ?? 'Fleet';
  const content = !alerts.enabled
    ? html`<p class="empty">The fleet file has no <code>alerts</code> block: this dashboard sends no alerts.</p>`
    : alerts.deliveries.length === 0
      ? html`<p class="empty">No alert has been sent yet.</p>`
      : html`<div class="scroll"><table class="alerts"><thead><tr><th>At</th><th>Status</th><th>Channel</th><th>Kind</th><th>Alert</th><th>Attempts</th></tr></thead><tbody>${alerts.deliveries.map(deliveryRow)}</tbody></table></div>`;
  const body = html`<header class="top"><h1><a href="/">${title}</a> <span class="crumb">/</span> alerts</h1></header><main id="alerts-page"><section class="card"><h2>Alerts</h2>${content}</section>${options.apiLinks === false ? '' : html`<p class="footer"><a href="/api/alerts">JSON</a></p>`}</main>`;
  return renderDocument({
    title: `Alerts · ${title}`,
    body,
    nonce: options.nonce,
    script: 'setTimeout(() => location.reload(), 30000);',
    refreshSeconds: 30,
  });
}
