import { describe, expect, test } from 'vitest';
import { escapeHtml } from '../../src/render/escape-html.ts';
import { html, raw } from '../../src/render/internal/html.ts';
import { textOf } from './_markup.ts';

const HOSTILE = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  "' onmouseover='alert(1)",
  '</textarea></title></style></script>',
  '&lt;already escaped&gt; &amp; &#39;',
  '<!-- comment --> <![CDATA[ x ]]>',
  'javascript:alert(1)',
  '\u2028\u2029 ünïcödé 🚀 \0',
];

describe('escapeHtml', () => {
  test.each(HOSTILE)('leaves no markup character raw in %j', (hostile) => {
    const escaped = escapeHtml(hostile);
    expect(escaped).not.toMatch(/[<>"']/);
    expect(escaped).not.toMatch(/&(?!(?:amp|lt|gt|quot|#39);)/);
    expect(textOf(escaped)).toBe(hostile.replace(/\s+/g, ' ').trim());
  });

  test('escapes all five characters that matter in text and quoted attributes', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });

  test('escapes ampersands of existing entities again, so text shows as written', () => {
    expect(escapeHtml('&amp;')).toBe('&amp;amp;');
  });
});

describe('the html template', () => {
  test('escapes interpolated strings and numbers, in text and in attributes', () => {
    const name = '"><script>x</script>';
    expect(html`<p title="${name}">${name} ${3}</p>`.value).toBe(
      '<p title="&quot;&gt;&lt;script&gt;x&lt;/script&gt;">&quot;&gt;&lt;script&gt;x&lt;/script&gt; 3</p>',
    );
  });

  test('keeps nested templates and raw markup, flattens arrays, drops null, undefined and false', () => {
    const items = ['a<', 'b&'].map((item) => html`<li>${item}</li>`);
    expect(html`<ul>${items}${null}${undefined}${false}${raw('<hr>')}</ul>`.value).toBe(
      '<ul><li>a&lt;</li><li>b&amp;</li><hr></ul>',
    );
  });
});
