import { describe, expect, test } from 'vitest';
import { renderServiceDetail } from '../../src/render/service-detail.ts';
import { buckets, NOW, serviceDetail } from './_fixtures.ts';
import { duplicateIds, element, markupProblems, openingTag, textOf } from './_markup.ts';

/** The latency charts of a section, wide then narrow: the page draws both, the stylesheet shows one. */
function charts(section: string): string[] {
  const found = [...section.matchAll(/<div class="chart-(?:wide|narrow)">(<svg .*?<\/svg>)<\/div>/g)].map((m) => m[1]!);
  expect(found).toHaveLength(2);
  return found;
}

describe('renderServiceDetail', () => {
  const detail = serviceDetail();
  const page = renderServiceDetail(detail, { now: NOW });

  test('is a complete, well-formed HTML document without script', () => {
    expect(page.startsWith('<!doctype html>')).toBe(true);
    expect(markupProblems(page)).toEqual([]);
    expect(duplicateIds(page)).toEqual([]);
    expect(page).not.toContain('<script');
    expect(page).toContain('<title>merlin (down) · Fleet</title>');
    expect(page).toContain('<a href="/">Fleet</a>');
  });

  test('shows the state, since when, URL and last error', () => {
    expect(openingTag(page, 'service')).toContain('data-target="merlin" data-state="down"');
    const summary = textOf(element(page, 'summary')!);
    expect(summary).toBe(
      'merlin ✖ down since 3 h 12 min ago Kind wizard Host beta Health URL http://beta.lan:8000/health ' +
        'Last check 20 s ago Last response — Last error connect ECONNREFUSED 10.0.0.2:8643',
    );
    expect(page).toContain('<a href="http://beta.lan:8000/health">');
  });

  test('shows uptime over 1 h, 24 h, 7 d and 30 d', () => {
    const uptime = element(page, 'uptime')!;
    expect(textOf(uptime)).toMatch(
      /^Uptime Uptime 1 h 25\.00 % Uptime 24 h 90\.00 % Uptime 7 d 98\.00 % Uptime 30 d 99\.00 %/,
    );
  });

  test('draws an uptime bar with one segment per history bucket', () => {
    const uptime = element(page, 'uptime')!;
    expect(uptime.match(/<rect class="seg /g)).toHaveLength(detail.history.length);
    expect(uptime.match(/seg-bad/g)).toHaveLength(7);
    expect(uptime.match(/seg-none/g)).toHaveLength(1);
    expect(textOf(uptime)).toContain('36 buckets (5m) from 2025-11-30 09:00:00 UTC to 2025-11-30 11:55:00 UTC');
  });

  test('a gap in monitoring is grey in the uptime bar and breaks the latency lines', () => {
    // Probes from 60 to 40 minutes ago and in the last 20 minutes: none in between.
    const gapped = { ...detail, history: buckets(12).filter((_, i) => i < 4 || i > 7) };
    const gappedPage = renderServiceDetail(gapped, { now: NOW });
    const uptime = element(gappedPage, 'uptime')!;
    expect(uptime.match(/<rect class="seg /g)).toHaveLength(12);
    expect(uptime.match(/seg-none/g)).toHaveLength(4);
    expect(textOf(uptime)).toContain('8 buckets (5m)');
    for (const chart of charts(element(gappedPage, 'latency')!)) {
      expect(chart.match(/<polyline class="line-p50"/g)).toHaveLength(2);
      expect(chart.match(/<polyline class="line-p95"/g)).toHaveLength(2);
    }
  });

  test('draws the latency chart of p50 and p95, broken where buckets have no value', () => {
    const latency = element(page, 'latency')!;
    expect(textOf(latency)).toMatch(/^Response time p50, 24 h 40 ms p95, 24 h 120 ms/);
    // Values at 0-9, none at 10, values at 11-29, none from 30 on (down).
    for (const chart of charts(latency)) {
      expect(chart.match(/<polyline class="line-p50"/g)).toHaveLength(2);
      expect(chart.match(/<polyline class="line-p95"/g)).toHaveLength(2);
    }
  });

  test('draws the chart twice: wide, and narrow with labels sized for a phone', () => {
    const [wide, narrow] = charts(element(page, 'latency')!);
    expect(wide).toContain('viewBox="0 0 960 240"');
    expect(narrow).toContain('viewBox="0 0 360 220"');
    expect(narrow).toContain('font-size="12"');
  });

  test('lists the recent transitions, newest first', () => {
    const rows = [...element(page, 'transitions')!.matchAll(/<tr data-from=.*?<\/tr>/g)].map((m) => textOf(m[0]));
    expect(rows).toEqual([
      '30 min ago ▲ degraded ✖ down connect ECONNREFUSED 10.0.0.2:8643',
      '32 min ago ● up ▲ degraded recovered after a retry',
      '1 d ago ? unknown ● up —',
    ]);
  });

  test('reads well for a target never probed: no history, no transitions', () => {
    const empty = renderServiceDetail(
      {
        status: { ...detail.status, state: 'unknown', since: null, lastCheckAt: null, lastError: null },
        history: [],
        transitions: [],
      },
      { now: NOW },
    );
    expect(markupProblems(empty)).toEqual([]);
    const text = textOf(empty);
    expect(text).toContain('No history yet.');
    expect(text).toContain('No latency data yet');
    expect(text).toContain('No state changes recorded.');
    expect(empty).not.toMatch(/NaN|Infinity/);
  });

  test('links the health URL only when it is http(s), and escapes it', () => {
    const hostile = renderServiceDetail(
      { ...detail, status: { ...detail.status, id: '<b>x</b>', url: 'javascript:alert("x")' } },
      { now: NOW },
    );
    expect(hostile).not.toContain('href="javascript');
    expect(hostile).not.toContain('<b>');
    expect(textOf(hostile)).toContain('Health URL javascript:alert("x")');
    expect(markupProblems(hostile)).toEqual([]);
  });
});
