import type { AlertMessage } from '../../alert-message.ts';

/** The alert's text, with its link when it has one. */
export function plainText(message: AlertMessage): string {
  return message.url === undefined ? message.text : `${message.text}\n\n${message.url}`;
}

/** Text safe inside HTML, in elements and attribute values alike. */
export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/**
 * A header value that fetch accepts and receivers decode: ASCII as it is, anything else as an
 * RFC 2047 encoded word (ntfy decodes those in Title).
 */
export function headerText(text: string): string {
  const line = text.replace(/[\r\n]+/g, ' ');
  return /^[\x20-\x7e]*$/.test(line) ? line : `=?UTF-8?B?${Buffer.from(line, 'utf8').toString('base64')}?=`;
}

/**
 * `text` cut to at most `maxBytes` bytes of UTF-8 on a line boundary, ending with `notice` on a
 * line of its own; `text` as it is when it fits. A first line longer than the limit is cut too.
 */
export function truncateLines(text: string, maxBytes: number, notice: string): string {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  const budget = maxBytes - Buffer.byteLength(`\n${notice}`, 'utf8');
  const kept: string[] = [];
  let used = 0;
  for (const line of text.split('\n')) {
    const size = Buffer.byteLength(line, 'utf8') + (kept.length > 0 ? 1 : 0);
    if (used + size > budget) break;
    kept.push(line);
    used += size;
  }
  if (kept.length === 0) {
    // Not even one whole line fits: cut the first one at a character boundary.
    const head = Buffer.from(text, 'utf8')
      .subarray(0, Math.max(0, budget))
      .toString('utf8')
      .replace(/\uFFFD+$/, '');
    return `${head}\n${notice}`;
  }
  return `${kept.join('\n')}\n${notice}`;
}
