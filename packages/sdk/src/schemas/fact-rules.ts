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

function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

/**
 * Why `key` is not a valid fact key, or undefined when it is one. The one definition of the rule:
 * the `FactKey` schema and the store's own check of direct callers both use it (the store calls
 * it for every change it applies, without the schema machinery).
 */
export function factKeyProblem(key: string): string | undefined {
  if (key.length === 0) return 'must not be empty';
  if (key.length > MAX_FACT_KEY_LENGTH) return `must be at most ${MAX_FACT_KEY_LENGTH} characters`;
  if (hasControlCharacter(key)) return 'must not contain control characters';
  if (!isWellFormed(key)) return NOT_WELL_FORMED;
  if (key.startsWith('/') || key.endsWith('/') || key.includes('//')) return 'must not have empty segments';
  // URLs resolve `.` and `..` segments away, so such a key could not be addressed in `/facts/<key>`.
  if (DOT_SEGMENT.test(key)) return 'must not have . or .. segments';
  return undefined;
}

/** Why `tag` is not a valid tag, or undefined when it is one (shared like {@link factKeyProblem}). */
export function tagProblem(tag: string): string | undefined {
  if (tag.length === 0) return 'must not be empty';
  if (tag.length > MAX_TAG_LENGTH) return `must be at most ${MAX_TAG_LENGTH} characters`;
  return TAG_PATTERN.test(tag) ? undefined : TAG_RULE;
}
