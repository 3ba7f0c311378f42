import type { TargetState } from '@fleet/sdk';
import { describe, expect, test } from 'vitest';
import { renderBadge } from '../../src/render/badge.ts';
import { markupProblems, textOf } from './_markup.ts';

const width = (svg: string) => Number(/^<svg [^>]*width="(\d+(?:\.\d+)?)"/.exec(svg)?.[1]);

describe('renderBadge', () => {
  test.each(['up', 'degraded', 'down', 'unknown', 'deploying'] as const)(
    'renders a well-formed SVG for %s',
    (state) => {
      const svg = renderBadge('bus', state);
      expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" ')).toBe(true);
      expect(svg.endsWith('</svg>')).toBe(true);
      expect(markupProblems(svg)).toEqual([]);
      expect(svg).toContain(`aria-label="bus: ${state}"`);
      expect(textOf(svg)).toContain(`bus ${state}`);
    },
  );

  test('colours the state part per state', () => {
    const fill = (state: TargetState) =>
      /<rect x="\d+" width="\d+" height="20" fill="(#[0-9a-f]{6})"/.exec(renderBadge('bus', state))?.[1];
    const fills = (['up', 'degraded', 'down', 'unknown', 'deploying'] as const).map(fill);
    expect(fills).toEqual(['#1a7f37', '#9a6700', '#d73a2f', '#5d6673', '#1f6feb']);
  });

  test('grows with the length of the name and of the state', () => {
    expect(width(renderBadge('a-much-longer-service-name', 'up'))).toBeGreaterThan(width(renderBadge('bus', 'up')));
    expect(width(renderBadge('bus', 'deploying'))).toBeGreaterThan(width(renderBadge('bus', 'up')));
    // Label and state parts add up to the whole width.
    const svg = renderBadge('knowledge', 'degraded');
    const [label, state] = [...svg.matchAll(/<rect (?:x="\d+" )?width="(\d+)" height="20" fill="#/g)].map((m) =>
      Number(m[1]),
    );
    expect(label! + state!).toBe(width(svg));
  });

  test('escapes a hostile name', () => {
    const svg = renderBadge('</text><script>alert(1)</script>"', 'down');
    expect(svg).not.toContain('<script>');
    expect(markupProblems(svg)).toEqual([]);
    expect(textOf(svg)).toContain('</text><script>alert(1)</script>" down');
  });

  test('renders the bus badge as expected', () => {
    expect(renderBadge('bus', 'up')).toMatchInlineSnapshot(
      `"<svg xmlns="http://www.w3.org/2000/svg" width="55" height="20" role="img" aria-label="bus: up"><title>bus: up</title><linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient><clipPath id="r"><rect width="55" height="20" rx="3" fill="#fff"/></clipPath><g clip-path="url(#r)"><rect width="31" height="20" fill="#555"/><rect x="31" width="24" height="20" fill="#1a7f37"/><rect width="55" height="20" fill="url(#s)"/></g><g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" text-rendering="geometricPrecision" font-size="110"><text x="155" y="150" fill="#010101" fill-opacity=".3" transform="scale(.1)" textLength="210">bus</text><text x="155" y="140" transform="scale(.1)" fill="#fff" textLength="210">bus</text><text x="430" y="150" fill="#010101" fill-opacity=".3" transform="scale(.1)" textLength="140">up</text><text x="430" y="140" transform="scale(.1)" fill="#fff" textLength="140">up</text></g></svg>"`,
    );
  });
});
