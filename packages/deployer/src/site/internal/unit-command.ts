const PLAIN = /^[A-Za-z0-9_@+=:,./-]+$/;

/** One word of a systemd command line taken literally: quoted when needed, `$` and `%` doubled. */
export function literalWord(word: string): string {
  const escaped = word.replaceAll('%', '%%').replaceAll('$', '$$$$');
  if (PLAIN.test(word)) return escaped;
  return `"${escaped.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

/**
 * A systemd command line: `literal` words taken as they are, then `expanded` words written as
 * given (e.g. `${PORT}`, which systemd fills from the unit's environment).
 */
export function unitCommand(literal: readonly string[], expanded: readonly string[] = []): string {
  return [...literal.map(literalWord), ...expanded].join(' ');
}
