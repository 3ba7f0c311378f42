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
