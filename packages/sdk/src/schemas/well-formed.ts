import { z } from 'zod';

/** The message for text holding a lone surrogate. */
export const NOT_WELL_FORMED = 'must be well-formed Unicode (no unpaired surrogate, U+D800 to U+DFFF)';

/** A UTF-16 surrogate that is not half of a pair: a high one not followed by a low one, or a low one alone. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, 'g');

/**
 * True when every UTF-16 surrogate in `text` is half of a pair: what `String.prototype.isWellFormed`
 * answers, written out because it is ES2024, past the project's `lib`. JSON can carry a lone
 * surrogate (`"\ud800"`), but a store keeps text as UTF-8, which cannot: SQLite reads it back as
 * three U+FFFD (so the stored key is not the one given, and sorts elsewhere), node-postgres writes
 * one U+FFFD (so `k\ud800` and `k\udbff` become one row).
 */
export function isWellFormed(text: string): boolean {
  return !LONE_SURROGATE.test(text);
}

/**
 * `text` with every lone surrogate replaced by U+FFFD: what `String.prototype.toWellFormed` gives
 * (ES2024, past the project's `lib`). For text Fleet composes from others' (an error message cut to
 * a length, which may split a pair) before a field that must be well-formed.
 */
export function toWellFormed(text: string): string {
  return text.replace(LONE_SURROGATES, '\ufffd');
}

/**
 * The check for a free-text field a store keeps as text: `z.string().check(z.maxLength(256), wellFormed)`.
 * One instance for every field: a check keeps no state, and sharing it saves a construction per
 * field (see fields.ts).
 */
export const wellFormed = z.superRefine<string>((text, context) => {
  if (!isWellFormed(text)) context.addIssue({ code: 'custom', message: NOT_WELL_FORMED });
});
