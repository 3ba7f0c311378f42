import { formatDuration, formatTime, secondsSince } from './format.ts';
import { html, type SafeHtml } from './html.ts';

/** A `<time>` saying how long ago `iso` was, with the absolute UTC time as its tooltip; `—` for null. */
export function timeAgo(iso: string | null, nowMs: number): SafeHtml {
  if (iso === null) return html`<span class="muted">—</span>`;
  const seconds = secondsSince(iso, nowMs);
  const label = seconds === null ? iso : seconds < 0 ? formatTime(iso) : `${formatDuration(seconds)} ago`;
  return html`<time datetime="${iso}" title="${formatTime(iso)}">${label}</time>`;
}

/** A DOM id for a name: ids may hold any character except whitespace. */
export function domId(prefix: string, name: string): string {
  return `${prefix}-${name.replace(/\s/g, '_')}`;
}

/** The detail page of a target. */
export function serviceHref(id: string): string {
  return `/services/${encodeURIComponent(id)}`;
}

/** "read 20 s ago", or "not read yet" (nothing when reading failed: the error says it). */
export function readAt(at: string | null, error: string | null, now: number): SafeHtml {
  if (at === null) return html`<span class="meta">${error ? '' : 'not read yet'}</span>`;
  return html`<span class="meta">read ${timeAgo(at, now)}</span>`;
}
