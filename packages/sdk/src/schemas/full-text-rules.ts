// The rules a full-text query (`GET /facts?q=`, SQLite FTS5 syntax) must follow, so that one query
// cannot hold a knowledge node: SQLite runs it synchronously on the event loop. A prefix term merges
// the posting lists of every indexed word it starts (`a*`: nearly the whole index), a NEAR group
// compares the positions of every candidate, and each further term adds its posting list.

/** Most search terms in a full-text query: words, counting each word of a phrase. */
export const MAX_FULL_TEXT_TERMS = 12;
/** Most prefix terms (`word*`) in a full-text query. */
export const MAX_PREFIX_TERMS = 2;
/** Fewest characters before the `*` of a prefix term. */
export const MIN_PREFIX_LENGTH = 3;
/**
 * Most facts a full-text query may match. Its matches are sorted by key before the page is cut,
 * so a query matching more is refused (`validation_failed` on `q`) rather than sorting them all.
 */
export const MAX_FULL_TEXT_MATCHES = 10_000;

/** One-line summary of the rules, for schema descriptions and error messages. */
export const FULL_TEXT_RULES = `at most ${MAX_FULL_TEXT_TERMS} terms, at most ${MAX_PREFIX_TERMS} prefix terms of at least ${MIN_PREFIX_LENGTH} characters before the *, no NEAR groups`;

/**
 * The words SQLite's default `unicode61` tokenizer makes of a bareword or a quoted string. Only
 * letters and digits make words here; the tokenizer also keeps a few other characters inside
 * words, so this splits at least as finely: a prefix never looks longer than it is.
 */
const WORD = /[\p{L}\p{N}]+/gu;
/** Characters of an FTS5 bareword besides U+001A and anything non-ASCII. */
const ASCII_BAREWORD_CHAR = /[A-Za-z0-9_]/;
const SUBSTITUTE = 0x1a;

function isBarewordChar(char: string): boolean {
  const code = char.charCodeAt(0);
  return code >= 0x80 || code === SUBSTITUTE || ASCII_BAREWORD_CHAR.test(char);
}
/** The operators of FTS5, when written as barewords: a quoted `"OR"` is a search term. */
const OPERATORS = new Set(['AND', 'OR', 'NOT']);

const FTS5_SPACE: ReadonlySet<string> = new Set([' ', '\t', '\n', '\r']);

/**
 * The index of the first character at or after `at` that is not whitespace to FTS5's query lexer,
 * which skips exactly space, tab, LF and CR between tokens (`fts5ExprIsspace`): `abc *` is the
 * prefix query `abc*`. Other characters JavaScript takes for whitespace are not skipped there.
 */
function skipSpace(query: string, at: number): number {
  let end = at;
  while (end < query.length && FTS5_SPACE.has(query[end]!)) end += 1;
  return end;
}

/** A bareword or quoted string of the query, and what follows it. */
interface Phrase {
  text: string;
  /** A quoted string: always a search term, even `"OR"` or `"NEAR"`. */
  quoted: boolean;
  /** `NEAR` followed by `(`: a NEAR group. */
  near: boolean;
  /** Followed by `:`: a column name, not a term. */
  column: boolean;
  /** Followed by `*` (whitespace between them or not): a prefix search for its last word. */
  prefix: boolean;
}

/** The quoted string opening at `at`: its text (`""` inside it is a quote) and the index after it. */
function readString(query: string, at: number): { text: string; end: number } {
  let text = '';
  let end = at + 1;
  while (end < query.length) {
    if (query[end] === '"') {
      if (query[end + 1] !== '"') break;
      end += 1;
    }
    text += query[end];
    end += 1;
  }
  return { text, end: end + 1 };
}

/** The index after the bareword starting at `at` (`at` itself when none starts there). */
function barewordEnd(query: string, at: number): number {
  let end = at;
  while (end < query.length && isBarewordChar(query[end]!)) end += 1;
  return end;
}

/** The barewords and quoted strings of an FTS5 query (column sets `{...}` skipped). */
function phrasesOf(query: string): Phrase[] {
  const phrases: Phrase[] = [];
  let at = 0;
  while (at < query.length) {
    let text: string;
    const quoted = query[at] === '"';
    if (quoted) {
      ({ text, end: at } = readString(query, at));
    } else if (query[at] === '{') {
      const close = query.indexOf('}', at);
      at = close === -1 ? query.length : close + 1;
      continue;
    } else {
      const end = barewordEnd(query, at);
      if (end === at) {
        at += 1;
        continue;
      }
      text = query.slice(at, end);
      at = end;
    }
    const following = query[skipSpace(query, at)];
    phrases.push({
      text,
      quoted,
      near: !quoted && text === 'NEAR' && following === '(',
      column: following === ':',
      prefix: following === '*',
    });
  }
  return phrases;
}

/**
 * Why full-text query `query` is refused, or undefined when it follows the rules
 * ({@link FULL_TEXT_RULES}). Its syntax is left to SQLite.
 *
 * @example fullTextQueryProblem('NEAR(a* e*, 99)') //=> 'NEAR groups are not supported; ...'
 */
export function fullTextQueryProblem(query: string): string | undefined {
  let terms = 0;
  let prefixes = 0;
  for (const phrase of phrasesOf(query)) {
    if (phrase.near) return 'NEAR groups are not supported; search for the words, or a quoted phrase';
    if (phrase.column || (!phrase.quoted && OPERATORS.has(phrase.text) && !phrase.prefix)) continue;
    const words = phrase.text.match(WORD) ?? [];
    terms += words.length;
    if (phrase.prefix) {
      prefixes += 1;
      const stem = words[words.length - 1] ?? '';
      if ([...stem].length < MIN_PREFIX_LENGTH) {
        return `a prefix term needs at least ${MIN_PREFIX_LENGTH} characters before the * ("${stem}*" has ${[...stem].length})`;
      }
    }
  }
  if (prefixes > MAX_PREFIX_TERMS) return `at most ${MAX_PREFIX_TERMS} prefix terms (word*), not ${prefixes}`;
  if (terms > MAX_FULL_TEXT_TERMS) return `at most ${MAX_FULL_TEXT_TERMS} terms, not ${terms}`;
  return undefined;
}
