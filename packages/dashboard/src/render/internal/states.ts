import type { TargetState } from '@fleet/sdk';
import { html, type SafeHtml } from './html.ts';

/** Display order: what needs attention first. */
export const STATE_ORDER: readonly TargetState[] = ['down', 'degraded', 'deploying', 'unknown', 'up'];

/**
 * A symbol next to each state's colour, so that the state never depends on colour alone
 * (colour blindness, greyscale printouts); the text is always there too.
 */
const SYMBOLS: Record<TargetState, string> = {
  up: '●',
  degraded: '▲',
  down: '✖',
  unknown: '?',
  deploying: '↻',
};

/** State colours of the badge (white text on them stays readable). */
export const STATE_COLORS: Record<TargetState, string> = {
  up: '#2e9e44',
  degraded: '#c9a400',
  down: '#d73a2f',
  unknown: '#8a8f98',
  deploying: '#1f6feb',
};

/** The coloured state label: `<span class="state state-down">✖ down</span>`. */
export function statePill(state: TargetState): SafeHtml {
  return html`<span class="state state-${state}"><span aria-hidden="true">${SYMBOLS[state]}</span> ${state}</span>`;
}
