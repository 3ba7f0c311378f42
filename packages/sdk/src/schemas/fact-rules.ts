import { isWellFormed, NOT_WELL_FORMED } from './well-formed.ts';

/** Longest fact key, in characters. */
export const MAX_FACT_KEY_LENGTH = 512;
/** Longest tag, in characters. */
export const MAX_TAG_LENGTH = 64;

/** What a tag may contain. */
export const TAG_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:/-]*$/;
/** The message for a tag that does not match {@link TAG_PATTERN}. */
export const TAG_RULE = 'must start with a letter or digit and contain only letters, digits, . _ : / -';
/** A `.` or `..` segment of a path. */
const DOT_SEGMENT = /(?:^|\/)\.\.?(?:\/|$)/;

/**
 * Whether `text` holds a control character (`\p{Cc}`): U+0000–U+001F, U+007F and, unless
 * `allowC1`, the C1 controls U+0080–U+009F.
 */
function hasControlCharacter(text: string, allowC1: boolean): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f || (code >= 0x80 && code <= 0x9f && !allowC1)) return true;
  }
  return false;
}

function keyProblem(key: string, allowC1: boolean): string | undefined {
  if (key.length === 0) return 'must not be empty';
  if (key.length > MAX_FACT_KEY_LENGTH) return `must be at most ${MAX_FACT_KEY_LENGTH} characters`;
  if (hasControlCharacter(key, allowC1)) return 'must not contain control characters';
  if (!isWellFormed(key)) return NOT_WELL_FORMED;
  if (key.startsWith('/') || key.endsWith('/') || key.includes('//')) return 'must not have empty segments';
  // URLs resolve `.` and `..` segments away, so such a key could not be addressed in `/facts/<key>`.
  if (DOT_SEGMENT.test(key)) return 'must not have . or .. segments';
  return undefined;
}

/**
 * Why `key` is not a valid fact key, or undefined when it is one. The one definition of the rule
 * for a new write: the `FactKey` schema and the store's own check of direct callers both use it
 * (the store calls it for every fact it is asked to put, without the schema machinery).
 */
export function factKeyProblem(key: string): string | undefined {
  return keyProblem(key, false);
}

/**
 * Why `key` cannot name a stored fact, or undefined when it can: {@link factKeyProblem}'s rule,
 * except that C1 control characters (U+0080–U+009F) pass, which versions before they were refused
 * accepted in writes. Reads, deletes and replication use it, so such a fact, already stored here or
 * at a peer, stays readable, deletable and in sync; no new one can be written.
 */
export function storedFactKeyProblem(key: string): string | undefined {
  return keyProblem(key, true);
}

/** Why `tag` is not a valid tag, or undefined when it is one (shared like {@link factKeyProblem}). */
export function tagProblem(tag: string): string | undefined {
  if (tag.length === 0) return 'must not be empty';
  if (tag.length > MAX_TAG_LENGTH) return `must be at most ${MAX_TAG_LENGTH} characters`;
  return TAG_PATTERN.test(tag) ? undefined : TAG_RULE;
}
