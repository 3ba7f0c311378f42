const VOID = new Set([
  'meta',
  'link',
  'br',
  'hr',
  'img',
  'input',
  'col',
  'source',
  'wbr',
  'area',
  'base',
  'embed',
  'track',
]);
const TAG = /<!--[\s\S]*?-->|<!doctype html>|<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+(?:="[^"]*")?)*)\s*(\/?)>/giy;

/**
 * A small well-formedness check for the markup we render (no DOM library is installed): every tag
 * closed in order, attribute values quoted, and no raw `<`, `>` or bare `&` in text, which would mean
 * something was not escaped. Raw text of <script> and <style> is skipped.
 */
export function markupProblems(markup: string): string[] {
  const problems: string[] = [];
  const open: string[] = [];
  let i = 0;
  while (i < markup.length) {
    const lt = markup.indexOf('<', i);
    checkText(markup.slice(i, lt === -1 ? markup.length : lt), problems);
    if (lt === -1) break;
    TAG.lastIndex = lt;
    const match = TAG.exec(markup);
    if (!match) {
      problems.push(`not a well-formed tag at ${lt}: ${markup.slice(lt, lt + 60)}`);
      break;
    }
    i = TAG.lastIndex;
    const [, closing, rawName, , selfClosing] = match;
    if (!rawName) continue;
    const name = rawName.toLowerCase();
    if (closing) {
      const top = open.pop();
      if (top !== name) problems.push(`</${name}> closes <${top ?? 'nothing'}> at ${lt}`);
    } else if (!selfClosing && !VOID.has(name)) {
      if (name === 'script' || name === 'style') {
        const end = markup.toLowerCase().indexOf(`</${name}>`, i);
        if (end === -1) problems.push(`<${name}> never closed`);
        i = end === -1 ? markup.length : end;
      }
      open.push(name);
    }
  }
  if (open.length) problems.push(`unclosed: ${open.join(' > ')}`);
  return problems;
}

function checkText(text: string, problems: string[]): void {
  const bareAmpersand = /&(?!(?:amp|lt|gt|quot|#39);)/.exec(text);
  if (bareAmpersand) problems.push(`unescaped & in text: ${text.slice(bareAmpersand.index, bareAmpersand.index + 30)}`);
  if (text.includes('>')) problems.push(`unescaped > in text: ${text.slice(0, 60)}`);
}

/** The values of every `id` attribute, to check they are unique. */
export function duplicateIds(markup: string): string[] {
  const seen = new Set<string>();
  const duplicates: string[] = [];
  for (const [, id] of markup.matchAll(/\sid="([^"]*)"/g)) {
    if (id === undefined) continue;
    if (seen.has(id)) duplicates.push(id);
    seen.add(id);
  }
  return duplicates;
}

/** The opening tag of the element with this id, e.g. `<tr id="target-bus" data-state="up" …>`. */
export function openingTag(markup: string, id: string): string | undefined {
  return new RegExp(`<[a-z]+ [^>]*\\bid="${id}"[^>]*>`).exec(markup)?.[0];
}

/** The element with this id, up to its matching close tag (same-name nesting counted). */
export function element(markup: string, id: string): string | undefined {
  const start = new RegExp(`<([a-z]+) [^>]*\\bid="${id}"[^>]*>`).exec(markup);
  if (!start) return undefined;
  const name = start[1]!;
  const tags = new RegExp(`<(/?)${name}\\b[^>]*>`, 'g');
  tags.lastIndex = start.index;
  let depth = 0;
  for (const m of markup.matchAll(tags)) {
    if (m.index < start.index) continue;
    depth += m[1] ? -1 : 1;
    if (depth === 0) return markup.slice(start.index, m.index + m[0].length);
  }
  return undefined;
}

/** Text content: tags removed, entities decoded, whitespace collapsed. */
export function textOf(markup: string): string {
  return markup
    .replace(/<[^>]*>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}
