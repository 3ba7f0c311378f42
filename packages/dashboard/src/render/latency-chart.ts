import type { HistoryBucket } from '@fleet/sdk';
import { formatAxisTime } from './internal/format.ts';
import { html, type SafeHtml } from './internal/html.ts';

/** Options of {@link renderLatencyChart}. */
export interface LatencyChartOptions {
  /**
   * Width of the drawing in user units; the SVG scales to its container and keeps this aspect ratio.
   * @default 960
   */
  width?: number;
  /**
   * Height of the drawing in user units.
   * @default 240
   */
  height?: number;
  /**
   * Size of the labels in user units: they scale with the drawing, so a narrow drawing for a small
   * screen needs about as many units as it should get pixels there.
   * @default 11
   */
  fontSize?: number;
}

const PAD = { top: 22, right: 12, bottom: 24, left: 56 };
const SERIES = [
  { key: 'p95Ms', name: 'p95', color: '#e8590c' },
  { key: 'p50Ms', name: 'p50', color: '#1f6feb' },
] as const;

/**
 * An inline SVG line chart of response time over the history buckets: p50 and p95, one point per
 * bucket at its start time, a y axis from 0 ms to a round maximum and the first and last times on
 * the x axis (UTC). A bucket without a value (no good probe) breaks the line rather than bridging
 * the gap; a point standing alone is drawn as a dot. With no values at all it says so.
 *
 * @example
 * renderLatencyChart(detail.history, { width: 800 })
 */
export function renderLatencyChart(history: readonly HistoryBucket[], options: LatencyChartOptions = {}): string {
  const width = options.width ?? 960;
  const height = options.height ?? 240;
  const plotW = width - PAD.left - PAD.right;
  const plotH = height - PAD.top - PAD.bottom;
  const times = history.map((b) => Date.parse(b.start));
  const values = history.flatMap((b) => [b.p50Ms, b.p95Ms]).filter((v): v is number => v !== null);
  const yMax = niceCeiling(Math.max(1, ...values));
  const tMin = Math.min(...times);
  const tMax = Math.max(...times);
  const x = (t: number) => PAD.left + (tMax > tMin ? ((t - tMin) / (tMax - tMin)) * plotW : plotW / 2);
  const y = (v: number) => PAD.top + plotH - (v / yMax) * plotH;

  const grid = [0, yMax / 2, yMax].map(
    (v) =>
      html`<line class="grid" x1="${PAD.left}" x2="${width - PAD.right}" y1="${y(v)}" y2="${y(v)}" stroke="currentColor" stroke-opacity="0.15"/><text class="axis" x="${PAD.left - 6}" y="${y(v) + 4}" text-anchor="end">${formatMsLabel(v)}</text>`,
  );
  const body: SafeHtml[] = [];
  if (values.length === 0) {
    body.push(
      html`<text class="empty" x="${PAD.left + plotW / 2}" y="${PAD.top + plotH / 2}" text-anchor="middle">No latency data yet</text>`,
    );
  } else {
    const withDate = tMax - tMin >= 86_400_000 || history[0]?.resolution === '1d';
    body.push(
      html`<text class="axis" x="${PAD.left}" y="${height - 6}" text-anchor="start">${formatAxisTime(tMin, withDate)}${tMax > tMin ? '' : ' UTC'}</text>`,
    );
    if (tMax > tMin)
      body.push(
        html`<text class="axis" x="${width - PAD.right}" y="${height - 6}" text-anchor="end">${formatAxisTime(tMax, withDate)} UTC</text>`,
      );
    for (const series of SERIES) {
      for (const run of runs(history, times, series.key)) {
        const points = run.map(([t, v]) => `${round(x(t))},${round(y(v))}`);
        const [first] = run;
        body.push(
          run.length === 1 && first
            ? html`<circle class="line-${series.name}" cx="${round(x(first[0]))}" cy="${round(y(first[1]))}" r="2.5" fill="${series.color}"/>`
            : html`<polyline class="line-${series.name}" points="${points.join(' ')}" fill="none" stroke="${series.color}" stroke-width="2" stroke-linejoin="round"/>`,
        );
      }
    }
  }
  const legend = SERIES.map(
    (series, i) =>
      html`<g class="legend"><line class="line-${series.name}" x1="${width - PAD.right - 110 + i * 56}" x2="${width - PAD.right - 94 + i * 56}" y1="10" y2="10" stroke="${series.color}" stroke-width="2"/><text class="axis" x="${width - PAD.right - 90 + i * 56}" y="14">${series.name}</text></g>`,
  );
  return html`<svg class="latency-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="100%" font-size="${options.fontSize ?? 11}" role="img" aria-label="Response time p50 and p95 over ${history.length} buckets" data-buckets="${history.length}">${grid}${body}${legend}</svg>`
    .value;
}

/** Consecutive buckets with a value for `key`, as [time, value] pairs. */
function runs(
  history: readonly HistoryBucket[],
  times: number[],
  key: 'p50Ms' | 'p95Ms',
): Array<Array<[number, number]>> {
  const out: Array<Array<[number, number]>> = [];
  let current: Array<[number, number]> = [];
  history.forEach((bucket, i) => {
    const value = bucket[key];
    const t = times[i];
    if (value === null || t === undefined || Number.isNaN(t)) {
      if (current.length) out.push(current);
      current = [];
    } else current.push([t, value]);
  });
  if (current.length) out.push(current);
  return out;
}

/** The smallest 1, 2 or 5 × 10ⁿ at or above `value`, so axis labels are round. */
function niceCeiling(value: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * magnitude >= value) return step * magnitude;
  return 10 * magnitude;
}

function formatMsLabel(ms: number): string {
  return ms >= 1000 ? `${ms / 1000} s` : `${ms} ms`;
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
