import type { FleetStatus, HistoryBucket, TargetStatus } from '@fleet/sdk';
import { fillGaps } from './internal/fill-gaps.ts';
import { formatMs, formatPercent } from './internal/format.ts';
import { html, raw } from './internal/html.ts';
import { mergeBuckets } from './internal/merge-buckets.ts';
import { domId, serviceHref, timeAgo } from './internal/parts.ts';
import { statePill } from './internal/states.ts';
import { renderUptimeBar } from './uptime-bar.ts';

/** Options of {@link renderTargets}. */
export interface TargetsOptions {
  /**
   * Recent history per target id, oldest first; a target listed here gets an uptime bar. The
   * buckets are merged down to `barSegments`, so any resolution will do.
   * @default {} (no History column)
   * @example { history: { bus: await monitor.history('bus', { since: '24h' }) } }
   */
  history?: Readonly<Record<string, readonly HistoryBucket[]>>;
  /**
   * At most this many segments per uptime bar: the overview is re-sent on every live update.
   * @default 48
   */
  barSegments?: number;
  /**
   * The time "since" and "last check" are measured from, in epoch milliseconds.
   * @default Date.parse(status.generatedAt)
   */
  now?: number;
}

/**
 * The fleet overview's main part: one `<section class="host" id="host-<name>">` per host with a
 * table of its targets, each row `<tr id="target-<id>" data-target data-state data-kind>` showing
 * the name (linking to `/services/<id>`), state (colour, symbol and text, plus the last probe's
 * error whenever it has one), kind, since when, last response time, uptime over 24 h and, if
 * history is given, an uptime bar (where the monitor did not probe, up to `now`, its segments say
 * "no probes"). A live-update fragment (see {@link clientScript}).
 *
 * @example
 * renderTargets(status, { history: { bus: busHistory } })
 */
export function renderTargets(
  status: Pick<FleetStatus, 'hosts' | 'generatedAt'>,
  options: TargetsOptions = {},
): string {
  const now = options.now ?? Date.parse(status.generatedAt);
  const history = options.history ?? {};
  const withBars = Object.keys(history).length > 0;
  if (status.hosts.length === 0) {
    return html`<div id="targets"><p class="empty">No targets: the fleet file describes no services or wizards.</p></div>`
      .value;
  }
  const hosts = status.hosts.map((host) => {
    const rows = host.targets.map((target) =>
      targetRow(target, now, withBars ? history[target.id] : undefined, withBars, options.barSegments ?? 48),
    );
    const body = rows.length
      ? html`<div class="scroll"><table class="targets"><thead><tr><th scope="col">Target</th><th scope="col">State</th><th scope="col">Kind</th><th scope="col">Since</th><th scope="col" class="num">Response</th><th scope="col" class="num">Uptime 24 h</th>${withBars ? html`<th scope="col" class="bar-col">History</th>` : ''}</tr></thead><tbody>${rows}</tbody></table></div>`
      : html`<p class="empty">No targets on this host.</p>`;
    return html`<section class="host" id="${domId('host', host.name)}" data-host="${host.name}"><h2>${host.name} <span class="address">${host.address}</span></h2>${body}</section>`;
  });
  return html`<div id="targets">${hosts}</div>`.value;
}

function targetRow(
  target: TargetStatus,
  now: number,
  history: readonly HistoryBucket[] | undefined,
  withBars: boolean,
  barSegments: number,
) {
  const error = target.lastError ? probeError(target.state, target.lastError) : '';
  const bar = history
    ? raw(
        renderUptimeBar(mergeBuckets(fillGaps(history, now), barSegments), {
          height: 14,
          label: `Uptime of ${target.id}`,
        }),
      )
    : html`<span class="muted">—</span>`;
  return html`<tr id="${domId('target', target.id)}" data-target="${target.id}" data-state="${target.state}" data-kind="${target.kind}"><th scope="row"><a href="${serviceHref(target.id)}">${target.id}</a></th><td>${statePill(target.state)}${error}</td><td class="kind">${target.kind}</td><td>${timeAgo(target.since, now)}</td><td class="num">${formatMs(target.lastResponseTimeMs)}</td><td class="num">${formatPercent(target.uptime['24h'])}</td>${withBars ? html`<td class="bar-col">${bar}</td>` : ''}</tr>`;
}

/**
 * The last probe's error under the state. A target stays up until enough probes fail in a row, so
 * on an up target the error says that the last probe failed: the state alone would hide it.
 */
function probeError(state: TargetStatus['state'], error: string) {
  return state === 'up'
    ? html`<div class="error" data-last-probe="failed">last probe failed: ${error}</div>`
    : html`<div class="error">${error}</div>`;
}
