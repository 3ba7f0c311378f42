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

/**
 * State colours of the badge, under white text: each reaches WCAG AA (4.5:1) against white, which
 * `test/render/contrast.test.ts` checks (a bright yellow or a light grey does not).
 */
export const STATE_COLORS: Record<TargetState, string> = {
  up: '#1a7f37',
  degraded: '#9a6700',
  down: '#d73a2f',
  unknown: '#5d6673',
  deploying: '#1f6feb',
};

/** The coloured state label: `<span class="state state-down">✖ down</span>`. */
export function statePill(state: TargetState): SafeHtml {
  return html`<span class="state state-${state}"><span aria-hidden="true">${SYMBOLS[state]}</span> ${state}</span>`;
}
