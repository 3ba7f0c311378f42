import { describe, expect, test } from 'vitest';
import { renderUptimeBar } from '../../src/render/uptime-bar.ts';
import { buckets } from './_fixtures.ts';
import { markupProblems } from './_markup.ts';

const segments = (svg: string) => [...svg.matchAll(/<rect class="seg seg-(\w+)"/g)].map((m) => m[1]);

describe('renderUptimeBar', () => {
  test.each([1, 12, 288])('draws one segment per bucket (%i buckets)', (count) => {
    const svg = renderUptimeBar(buckets(count));
    expect(segments(svg)).toHaveLength(count);
    expect(svg).toContain(`data-segments="${count}"`);
    expect(markupProblems(svg)).toEqual([]);
  });

  test('colours each segment by its share of good probes', () => {
    const shapes = [{ ok: 10 }, { ok: 8 }, { checks: 100, ok: 95 }, { checks: 0, ok: 0 }];
    const history = buckets(4, (i) => shapes[i]!);
    expect(segments(renderUptimeBar(history))).toEqual(['ok', 'bad', 'partial', 'none']);
  });

  test('puts each segment in order, with its time and counts as a tooltip', () => {
    const svg = renderUptimeBar(buckets(3, (i) => (i === 1 ? { ok: 8 } : {})));
    expect([...svg.matchAll(/<title>([^<]*)<\/title>/g)].map((m) => m[1])).toEqual([
      '11:45 UTC: 100 % (10/10 ok)',
      '11:50 UTC: 80.00 % (8/10 ok)',
      '11:55 UTC: 100 % (10/10 ok)',
    ]);
    expect([...svg.matchAll(/<rect class="seg [^"]*" x="([\d.]+)"/g)].map((m) => Number(m[1]))).toEqual([
      0.075, 1.075, 2.075,
    ]);
  });

  test('shows 57 good probes of 100 as 57.00 %, and 99,999 of 100,000 below 100 %', () => {
    const svg = renderUptimeBar(buckets(2, (i) => (i ? { checks: 100_000, ok: 99_999 } : { checks: 100, ok: 57 })));
    expect([...svg.matchAll(/<title>([^<]*)<\/title>/g)].map((m) => m[1])).toEqual([
      '11:50 UTC: 57.00 % (57/100 ok)',
      '11:55 UTC: 99.99 % (99999/100000 ok)',
    ]);
  });

  test('announces the overall uptime to screen readers', () => {
    expect(
      renderUptimeBar(
        buckets(2, (i) => (i ? { ok: 5 } : {})),
        { label: 'Uptime of bus' },
      ),
    ).toContain('aria-label="Uptime of bus: 75.00 %"');
  });

  test('renders an empty bar without segments when there is no history', () => {
    const svg = renderUptimeBar([]);
    expect(segments(svg)).toEqual([]);
    expect(svg).toContain('aria-label="Uptime: no probes yet"');
    expect(svg).toContain('class="bar-bg"');
    expect(markupProblems(svg)).toEqual([]);
  });
});
