import type { FleetStatus } from '@fleet/sdk';
import { html } from './internal/html.ts';
import { STATE_ORDER } from './internal/states.ts';

/**
 * The counts header: how many targets are in each state, worst first, as
 * `<div id="counts">` holding one `<span id="count-<state>" data-state data-count>` per state.
 * A live-update fragment (see {@link clientScript}).
 *
 * @example
 * renderCounts(status) // '<div id="counts" class="counts" data-total="7">…'
 */
export function renderCounts(status: Pick<FleetStatus, 'counts'>): string {
  const total = STATE_ORDER.reduce((sum, state) => sum + (status.counts[state] ?? 0), 0);
  const chips = STATE_ORDER.map((state) => {
    const count = status.counts[state] ?? 0;
    return html`<span class="count count-${state}${count === 0 ? ' zero' : ''}" id="count-${state}" data-state="${state}" data-count="${count}"><strong>${count}</strong> ${state}</span>`;
  });
  return html`<div id="counts" class="counts" data-total="${total}"><span class="count total"><strong>${total}</strong> target${total === 1 ? '' : 's'}</span>${chips}</div>`
    .value;
}
