/** A word systemd takes as it is, unquoted, in a command line or `Environment=`. */
export const PLAIN_WORD = /^[A-Za-z0-9_@+=:,./-]+$/;

/**
 * Text escaped for a double-quoted word of a unit file: `%` doubled (systemd expands specifiers),
 * with `dollars` (command lines) `$` doubled too (systemd expands variables there), then `\`, `"`,
 * newlines and tabs C-escaped. A {@link PLAIN_WORD} comes back as it is.
 */
export function unitQuotedText(text: string, dollars: boolean): string {
  let escaped = text.replaceAll('%', '%%');
  // A function replacer: in a replacement string `$$` would mean one `$`.
  if (dollars) escaped = escaped.replaceAll('$', () => '$$');
  return escaped.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n').replaceAll('\t', '\\t');
}
