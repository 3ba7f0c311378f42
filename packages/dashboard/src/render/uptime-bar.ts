import type { HistoryBucket } from '@fleet/sdk';
import { formatAxisTime, formatPercent } from './internal/format.ts';
import { html } from './internal/html.ts';

/** Options of {@link renderUptimeBar}. */
export interface UptimeBarOptions {
  /**
   * Rendered height in CSS pixels; the bar always takes its container's full width.
   * @default 24
   */
  height?: number;
  /**
   * What the bar is about, for screen readers (`aria-label`); the overall uptime is appended.
   * @default 'Uptime'
   * @example renderUptimeBar(history, { label: 'Uptime of bus, last 24 h' })
   */
  label?: string;
}

/** Segment fill by ok ratio; page CSS overrides it by class (dark mode), the attribute serves standalone use. */
const FILLS = { ok: '#2e9e44', partial: '#d9a400', bad: '#d73a2f', none: '#c4c8ce' } as const;

/**
 * An inline SVG uptime bar: one segment per history bucket (oldest on the left), coloured by the
 * share of good probes in it: all good, some failed (partial), at most 90 % good (bad), or no
 * probes. Each segment has a tooltip with its time and counts. Stretches to the container's width.
 *
 * @example
 * renderUptimeBar(detail.history, { label: 'Uptime, last 24 h' })
 */
export function renderUptimeBar(history: readonly HistoryBucket[], options: UptimeBarOptions = {}): string {
  const height = options.height ?? 24;
  const count = Math.max(history.length, 1);
  const checks = history.reduce((sum, b) => sum + b.checks, 0);
  const ok = history.reduce((sum, b) => sum + b.ok, 0);
  const overall = checks === 0 ? 'no probes yet' : formatPercent(ok / checks);
  const withDate = spansDays(history);
  // A gap between segments only while they are wide enough for one to show.
  const gap = history.length <= 120 ? 0.15 : 0;
  const segments = history.map((bucket, i) => {
    const level = segmentLevel(bucket);
    const start = Date.parse(bucket.start);
    const when = Number.isNaN(start) ? bucket.start : `${formatAxisTime(start, withDate)} UTC`;
    const tip =
      bucket.checks === 0
        ? `${when}: no probes`
        : `${when}: ${formatPercent(bucket.ok / bucket.checks)} (${bucket.ok}/${bucket.checks} ok)`;
    return html`<rect class="seg seg-${level}" x="${i + gap / 2}" y="0" width="${1 - gap}" height="1" fill="${FILLS[level]}"><title>${tip}</title></rect>`;
  });
  return html`<svg class="uptime-bar" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${count} 1" preserveAspectRatio="none" width="100%" height="${height}" role="img" aria-label="${options.label ?? 'Uptime'}: ${overall}" data-segments="${history.length}"><rect class="bar-bg" x="0" y="0" width="${count}" height="1" fill="${FILLS.none}" opacity="0.35"/>${segments}</svg>`
    .value;
}

function segmentLevel(bucket: HistoryBucket): keyof typeof FILLS {
  if (bucket.checks === 0) return 'none';
  if (bucket.ok >= bucket.checks) return 'ok';
  return bucket.ok / bucket.checks > 0.9 ? 'partial' : 'bad';
}

function spansDays(history: readonly HistoryBucket[]): boolean {
  const first = history[0];
  const last = history[history.length - 1];
  if (!first || !last) return false;
  return Date.parse(last.start) - Date.parse(first.start) >= 86_400_000 || first.resolution === '1d';
}
