import type { BusBacklog } from '@fleet/sdk';
import { formatDuration } from './internal/format.ts';
import { html, type SafeHtml } from './internal/html.ts';
import { domId, readAt } from './internal/parts.ts';

/**
 * The bus section: for every bus, its backlog per agent (ready, in flight, delayed, dead letters,
 * age of the oldest ready message) with totals. Rows of agents holding dead letters are
 * highlighted (`class="has-dead"`, `data-dead`). A live-update fragment (see {@link clientScript}).
 *
 * @param now The time "read … ago" is measured from, in epoch milliseconds.
 * @example
 * renderBus(status.bus, Date.parse(status.generatedAt))
 */
export function renderBus(bus: readonly BusBacklog[], now: number): string {
  const nodes = bus.length
    ? bus.map((backlog) => busNode(backlog, now))
    : html`<p class="empty">No bus in the fleet file.</p>`;
  return html`<section id="bus" class="panel" aria-labelledby="bus-title"><h2 id="bus-title">Bus backlog</h2>${nodes}</section>`
    .value;
}

function busNode(backlog: BusBacklog, now: number): SafeHtml {
  const rows = backlog.recipients.map(
    (r) =>
      html`<tr data-agent="${r.agent}" data-dead="${r.dead}"${r.dead > 0 ? html` class="has-dead"` : ''}><th scope="row">${r.agent}</th><td class="num">${r.ready}</td><td class="num">${r.inFlight}</td><td class="num">${r.delayed}</td><td class="num dead">${r.dead > 0 ? html`<strong>${r.dead}</strong>` : '0'}</td><td class="num">${r.oldestReadyAgeSeconds === null ? '—' : formatDuration(r.oldestReadyAgeSeconds)}</td></tr>`,
  );
  const t = backlog.totals;
  const table = rows.length
    ? html`<div class="scroll"><table><thead><tr><th scope="col">Agent</th><th scope="col" class="num">Ready</th><th scope="col" class="num">In flight</th><th scope="col" class="num">Delayed</th><th scope="col" class="num">Dead letters</th><th scope="col" class="num">Oldest ready</th></tr></thead><tbody>${rows}</tbody><tfoot><tr data-dead="${t.dead}"${t.dead > 0 ? html` class="has-dead"` : ''}><th scope="row">Total</th><td class="num">${t.ready}</td><td class="num">${t.inFlight}</td><td class="num">${t.delayed}</td><td class="num dead">${t.dead > 0 ? html`<strong>${t.dead}</strong>` : '0'}</td><td></td></tr></tfoot></table></div>`
    : backlog.at
      ? html`<p class="empty">No queues: no agent has messages waiting.</p>`
      : '';
  return html`<div class="node" id="${domId('bus', backlog.target)}" data-target="${backlog.target}" data-dead="${t.dead}"><h3>${backlog.target} ${readAt(backlog.at, backlog.error, now)}</h3>${backlog.error ? html`<p class="error">Could not read the queue: ${backlog.error}</p>` : ''}${table}</div>`;
}
