import type { TargetState } from '@fleet/sdk';
import { describe, expect, test } from 'vitest';
import { STATE_COLORS, STATE_ORDER } from '../../src/render/internal/states.ts';
import { STYLES } from '../../src/render/internal/styles.ts';

/** WCAG 2 AA for normal text. */
const AA = 4.5;

/** Relative luminance of `#rrggbb` (WCAG 2). */
function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = Number.parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** The WCAG contrast ratio of two colours, 1 to 21. */
function contrast(a: string, b: string): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}

/** The custom properties of the stylesheet's `:root`, light and dark (dark overrides light). */
function themes(): Record<'light' | 'dark', Map<string, string>> {
  const [lightRoot, darkRoot] = [...STYLES.matchAll(/:root \{([^}]*)\}/g)].map((m) => m[1]!);
  expect(darkRoot, 'a dark :root inside prefers-color-scheme').toBeDefined();
  const vars = (block: string) =>
    new Map([...block.matchAll(/(--[\w-]+):\s*(#[0-9a-f]{3,6})\b/gi)].map((m) => [m[1]!, longHex(m[2]!)]));
  const light = vars(lightRoot!);
  return { light, dark: new Map([...light, ...vars(darkRoot!)]) };
}

/** Every rule of the stylesheet that sets both a text colour and a background, as written. */
function colourRules(): Array<{ selector: string; color: string; background: string }> {
  const css = STYLES.replace(/\/\*[\s\S]*?\*\//g, '');
  return [...css.matchAll(/([^{}]+)\{([^{}]*)\}/g)].flatMap((m) => {
    const color = /(?:^|;)\s*color:\s*([^;]+)/.exec(m[2]!)?.[1]?.trim();
    const background = /(?:^|;)\s*background(?:-color)?:\s*([^;]+)/.exec(m[2]!)?.[1]?.trim();
    return color && background ? [{ selector: m[1]!.trim(), color, background }] : [];
  });
}

/** `#fff` as `#ffffff`. */
function longHex(hex: string): string {
  return hex.length === 4 ? `#${[...hex.slice(1)].map((c) => c + c).join('')}` : hex;
}

function resolve(value: string, vars: Map<string, string>): string {
  const name = /^var\((--[\w-]+)\)$/.exec(value)?.[1];
  const resolved = name ? vars.get(name) : longHex(value);
  if (!resolved || !/^#[0-9a-f]{6}$/i.test(resolved)) throw new Error(`cannot resolve ${value} to #rrggbb`);
  return resolved;
}

describe('colour contrast (WCAG AA, 4.5:1)', () => {
  const rules = colourRules();

  test('the stylesheet pairs colour and background in every state pill, count, notice and indicator', () => {
    const selectors = rules.map((rule) => rule.selector);
    for (const state of STATE_ORDER) expect(selectors).toContain(`.state-${state}`);
    expect(selectors).toEqual(expect.arrayContaining(['.live', '.live[data-live="live"]', '.stale']));
  });

  test.each(['light', 'dark'] as const)('every text on its background in the %s theme', (theme) => {
    const vars = themes()[theme];
    const failing = rules
      .map((rule) => ({ ...rule, ratio: contrast(resolve(rule.color, vars), resolve(rule.background, vars)) }))
      .filter((rule) => rule.ratio < AA)
      .map((rule) => `${rule.selector}: ${rule.color} on ${rule.background} is ${rule.ratio.toFixed(2)}:1`);
    expect(failing).toEqual([]);
  });

  test.each(['light', 'dark'] as const)(
    'every state colour, and plain, muted and link text, on every surface in the %s theme',
    (theme) => {
      const vars = themes()[theme];
      const states = STATE_ORDER.map((state) => `--${state}`);
      const surfaces = ['--bg', '--card', ...STATE_ORDER.map((state) => `--${state}-bg`)];
      const pairs = [
        // State colours are also text outside their pills (errors, lagging peers) on the page's surfaces.
        ...states.flatMap((text) => ['--bg', '--card'].map((surface) => [text, surface])),
        // Plain, muted and link text sits inside every coloured box (deploy cards, problems).
        ...['--fg', '--muted', '--link'].flatMap((text) => surfaces.map((surface) => [text, surface])),
      ];
      const failing = pairs
        .map(
          ([text, surface]) =>
            [text, surface, contrast(resolve(`var(${text})`, vars), resolve(`var(${surface})`, vars))] as const,
        )
        .filter(([, , ratio]) => ratio < AA)
        .map(([text, surface, ratio]) => `${text} on ${surface} is ${ratio.toFixed(2)}:1`);
      expect(failing).toEqual([]);
    },
  );

  test.each(Object.keys(STATE_COLORS) as TargetState[])('white text on the %s badge', (state) => {
    expect(contrast('#ffffff', STATE_COLORS[state])).toBeGreaterThanOrEqual(AA);
  });
});
