import type { TargetState } from '@fleet/sdk';
import { html } from './internal/html.ts';
import { STATE_COLORS } from './internal/states.ts';

const NARROW = new Set([..."fijlrtI!|.,:;'`()[] "]);
const WIDE = new Set([...'mwMW@%']);

/**
 * Approximate width of `text` in 11 px Verdana (the font of shields.io badges), in pixels. The
 * text is also given `textLength`, so a different fallback font still fills exactly this width.
 */
function textWidth(text: string): number {
  let width = 0;
  for (const char of text) {
    if (NARROW.has(char)) width += 3.9;
    else if (WIDE.has(char)) width += 10.5;
    else if (char >= 'A' && char <= 'Z') width += 7.6;
    else width += 6.8;
  }
  return Math.ceil(width);
}

/**
 * A status badge as a standalone SVG document, shields.io "flat" style: the target's name on grey,
 * its state on the state's colour (up green, degraded amber, down red, unknown grey, deploying
 * blue). Widths follow the text length; all text is escaped. Serve it as `image/svg+xml`.
 *
 * @example
 * renderBadge('bus', 'up') // '<svg xmlns="http://www.w3.org/2000/svg" width="60" height="20" ...'
 */
export function renderBadge(id: string, state: TargetState): string {
  const padding = 10;
  const labelWidth = textWidth(id) + padding;
  const stateWidth = textWidth(state) + padding;
  const width = labelWidth + stateWidth;
  const color = STATE_COLORS[state];
  const text = (value: string, x: number, textWidthPx: number) =>
    html`<text x="${x * 10}" y="150" fill="#010101" fill-opacity=".3" transform="scale(.1)" textLength="${textWidthPx * 10}">${value}</text><text x="${x * 10}" y="140" transform="scale(.1)" fill="#fff" textLength="${textWidthPx * 10}">${value}</text>`;
  return html`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="20" role="img" aria-label="${id}: ${state}"><title>${id}: ${state}</title><linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient><clipPath id="r"><rect width="${width}" height="20" rx="3" fill="#fff"/></clipPath><g clip-path="url(#r)"><rect width="${labelWidth}" height="20" fill="#555"/><rect x="${labelWidth}" width="${stateWidth}" height="20" fill="${color}"/><rect width="${width}" height="20" fill="url(#s)"/></g><g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" text-rendering="geometricPrecision" font-size="110">${text(id, labelWidth / 2, labelWidth - padding)}${text(state, labelWidth + stateWidth / 2, stateWidth - padding)}</g></svg>`
    .value;
}
