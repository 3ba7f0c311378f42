import { describe, expect, test } from 'vitest';
import { clientScript } from '../../src/render/client-script.ts';
import { renderOverview } from '../../src/render/overview.ts';
import { renderPage } from '../../src/render/page.ts';
import { fleetStatus } from './_fixtures.ts';
import { duplicateIds, markupProblems, openingTag } from './_markup.ts';

describe('renderPage', () => {
  const page = renderPage(fleetStatus());

  test('is a complete, well-formed HTML document with unique ids', () => {
    expect(page.startsWith('<!doctype html>\n<html lang="en"><head><meta charset="utf-8">')).toBe(true);
    expect(page.trimEnd().endsWith('</html>')).toBe(true);
    expect(markupProblems(page)).toEqual([]);
    expect(duplicateIds(page)).toEqual([]);
  });

  test('titles the document with the worst states', () => {
    expect(page).toContain('<title>Fleet · 1 down, 1 degraded</title>');
  });

  test('contains the overview exactly as the live updater would send it', () => {
    expect(page).toContain(renderOverview(fleetStatus()));
  });

  test('loads nothing from elsewhere: stylesheet and script are inline, the favicon a data URL', () => {
    expect(page).not.toMatch(/<script[^>]* src=|<link[^>]* rel="stylesheet"|<img |@import|url\(/);
    expect([...page.matchAll(/<link [^>]*>/g)].map((m) => m[0])).toEqual(['<link rel="icon" href="data:,">']);
    expect(page).toMatch(/<style>[^<]*prefers-color-scheme: dark[^<]*<\/style>/);
  });

  test('works without JavaScript: the live indicator is hidden and a noscript refresh reloads the page', () => {
    expect(openingTag(page, 'live')).toContain('hidden');
    expect(page).toContain('<noscript><meta http-equiv="refresh" content="30"></noscript>');
    expect(renderPage(fleetStatus(), { refreshSeconds: 0 })).not.toContain('<noscript>');
  });

  test('ends with the live updater, unless live updates are off', () => {
    expect(page).toContain(`<script>${clientScript()}</script></body>`);
    expect(renderPage(fleetStatus(), { eventsUrl: '/fleet/events' })).toContain('new EventSource("/fleet/events")');
    expect(renderPage(fleetStatus(), { live: false })).not.toContain('<script');
  });

  test('puts a CSP nonce on the inline style and script', () => {
    const withNonce = renderPage(fleetStatus(), { nonce: 'abc"123' });
    expect(withNonce).toContain('<style nonce="abc&quot;123">');
    expect(withNonce).toContain('<script nonce="abc&quot;123">');
  });

  test('escapes a hostile fleet name in the title and the header', () => {
    const out = renderPage(fleetStatus(), { title: '</title><script>alert(1)</script>' });
    expect(out).toContain('<title>&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt; · 1 down, 1 degraded</title>');
    expect(out.match(/<script/g)).toHaveLength(1);
    expect(markupProblems(out)).toEqual([]);
  });
});
