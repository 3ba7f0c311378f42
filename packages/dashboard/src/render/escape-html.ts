const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Escapes text for HTML and SVG: safe both between tags and inside a quoted attribute value.
 * Every string the dashboard renders from data (target names, URLs, error messages, file paths)
 * goes through it, because any of them may come from a fleet file or a remote service.
 *
 * @example
 * escapeHtml('<b title="x">&</b>') // '&lt;b title=&quot;x&quot;&gt;&amp;&lt;/b&gt;'
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ENTITIES[char] ?? char);
}
