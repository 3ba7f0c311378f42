import { describe, expect, test } from 'vitest';
import { renderLatencyChart } from '../../src/render/latency-chart.ts';
import { buckets } from './_fixtures.ts';
import { markupProblems, textOf } from './_markup.ts';

const polylines = (svg: string, series: string) =>
  [...svg.matchAll(new RegExp(`<polyline class="line-${series}" points="([^"]*)"`, 'g'))].map((m) =>
    m[1]!.split(' ').map((point) => point.split(',').map(Number) as [number, number]),
  );
const dots = (svg: string, series: string) =>
  [...svg.matchAll(new RegExp(`<circle class="line-${series}"`, 'g'))].length;

describe('renderLatencyChart', () => {
  test('draws p50 and p95 as one line each, a point per bucket, inside the plot area', () => {
    const svg = renderLatencyChart(buckets(24), { width: 640, height: 200 });
    expect(markupProblems(svg)).toEqual([]);
    const [p50] = polylines(svg, 'p50');
    const [p95] = polylines(svg, 'p95');
    expect(p50).toHaveLength(24);
    expect(p95).toHaveLength(24);
    for (const [x, y] of [...p50!, ...p95!]) {
      expect(x).toBeGreaterThanOrEqual(56);
      expect(x).toBeLessThanOrEqual(628);
      expect(y).toBeGreaterThanOrEqual(22);
      expect(y).toBeLessThanOrEqual(176);
    }
    // Oldest on the left, and p95 (slower) drawn above p50.
    expect(p50![0]![0]).toBe(56);
    expect(p50![23]![0]).toBe(628);
    expect(p95![0]![1]).toBeLessThan(p50![0]![1]);
  });

  test('labels the y axis from 0 to a round maximum, and the first and last times', () => {
    const svg = renderLatencyChart(buckets(12, (i) => ({ p95Ms: i === 5 ? 812 : 100 })));
    const labels = textOf(svg);
    expect(labels).toContain('0 ms');
    expect(labels).toContain('500 ms');
    expect(labels).toContain('1 s');
    expect(labels).toContain('11:00');
    expect(labels).toContain('11:55 UTC');
    expect(labels).toContain('p50');
    expect(labels).toContain('p95');
  });

  test('breaks the line where a bucket has no value, and draws a lone point as a dot', () => {
    // p50 values: 0-3, gap at 4, 5 alone, gap at 6, 7-9.
    const svg = renderLatencyChart(buckets(10, (i) => (i === 4 || i === 6 ? { p50Ms: null } : {})));
    expect(polylines(svg, 'p50').map((line) => line.length)).toEqual([4, 3]);
    expect(dots(svg, 'p50')).toBe(1);
    expect(polylines(svg, 'p95').map((line) => line.length)).toEqual([10]);
    expect(svg).not.toContain('NaN');
  });

  test('says there is no data for an empty history', () => {
    const svg = renderLatencyChart([]);
    expect(markupProblems(svg)).toEqual([]);
    expect(textOf(svg)).toContain('No latency data yet');
    expect(svg).not.toContain('<polyline');
    expect(svg).not.toMatch(/NaN|Infinity/);
  });

  test('says there is no data when every bucket failed (all values null)', () => {
    const svg = renderLatencyChart(buckets(5, () => ({ ok: 0, p50Ms: null, p95Ms: null })));
    expect(textOf(svg)).toContain('No latency data yet');
    expect(svg).not.toMatch(/<polyline|<circle|NaN|Infinity/);
  });

  test('puts a single bucket in the middle', () => {
    const svg = renderLatencyChart(buckets(1), { width: 640 });
    expect(dots(svg, 'p50')).toBe(1);
    expect(svg).toContain('cx="342"');
    expect(textOf(svg)).toContain('11:55 UTC');
  });

  test('shows dates on the time axis when the history spans days', () => {
    const days = buckets(3).map((b, i) => ({
      ...b,
      resolution: '1d' as const,
      start: `2025-11-2${7 + i}T00:00:00.000Z`,
    }));
    expect(textOf(renderLatencyChart(days))).toContain('11-27 00:00');
  });
});
