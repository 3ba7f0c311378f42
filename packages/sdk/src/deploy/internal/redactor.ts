import { escapeRegExp } from '../../internal/escape-regexp.ts';
import { mapStrings, REDACTED } from '../../internal/redact.ts';
import { cutEnds } from './output-tail.ts';
import { unitQuotedText } from './unit-word.ts';

/** A line of a multi-line secret this long is secret wherever it appears; a shorter one only as a whole line. */
const MIN_LINE_CHARS = 8;
/** The shortest end of a secret replaced where a cut output starts inside it (a shorter one gives little away). */
const MIN_CUT_CHARS = 4;

/**
 * The forms a secret takes in the text a deploy shows: as it is, escaped inside a double-quoted
 * string (JSON, and the `NAME="value"` lines of a systemd environment file: `\` and `"` escaped),
 * inside a single-quoted shell word (`'` as `'\''`), URL-encoded, and as a word of a unit file
 * (`%` doubled, in a command line `$` too, then `\`, `"`, newlines and tabs escaped).
 */
function encodings(secret: string): string[] {
  const json = JSON.stringify(secret).slice(1, -1);
  const envFile = secret.replaceAll('\\', '\\\\').replaceAll('"', '\\"');
  const shell = secret.replaceAll("'", "'\\''");
  const unitCommand = unitQuotedText(secret, true);
  const unitEnvironment = unitQuotedText(secret, false);
  return [secret, json, envFile, shell, encodeURIComponent(secret), unitCommand, unitEnvironment];
}

/** The lines of a multi-line secret (a PEM key), trimmed, without blank ones. */
function secretLines(secret: string): string[] {
  if (!secret.includes('\n')) return [];
  return secret
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
}

/**
 * Replaces secret values in strings, also deep inside objects and arrays, in each form they take
 * when quoted or escaped (a token with a `"` appears as `\"` in an environment file's diff). A
 * multi-line secret is also replaced line by line, since a diff shows each of its lines apart
 * (`+` and a line): a line of 8 or more characters wherever it appears, a shorter one with a letter
 * or digit where it stands as a whole line (after a diff's `+`, `-` or space). Where an output
 * tail was cut inside a secret (after the cut's marker), the end of it the cut kept is replaced too,
 * from 4 characters on.
 */
export class Redactor {
  /** Every form of every secret and of their long lines, longest first. */
  readonly #forms: string[];
  /** The short lines of multi-line secrets, each matched as a whole line. */
  readonly #shortLines: RegExp[];

  constructor(secrets: Iterable<string>) {
    const values = [...secrets].filter((secret) => secret.length > 0);
    const lines = [...new Set(values.flatMap(secretLines))];
    const long = lines.filter((line) => line.length >= MIN_LINE_CHARS);
    const forms = [...values, ...long].flatMap(encodings);
    // Longest first, so a secret (or form) that contains another is replaced whole.
    this.#forms = [...new Set(forms)].sort((a, b) => b.length - a.length);
    this.#shortLines = lines
      .filter((line) => line.length < MIN_LINE_CHARS && /[\p{L}\p{N}]/u.test(line))
      .map((line) => new RegExp(`^([-+ ]?[ \\t]*)${escapeRegExp(line)}([ \\t]*\\r?)$`, 'gmu'));
  }

  text(value: string): string {
    let result = value;
    for (const form of this.#forms) result = result.split(form).join(REDACTED);
    for (const line of this.#shortLines) result = result.replace(line, `$1${REDACTED}$2`);
    return this.#cutEnds(result);
  }

  /** A copy of a JSON-like value with every string redacted. */
  deep<T>(value: T): T {
    return mapStrings(value, (text) => this.text(text));
  }

  /** Replaces the end of a secret where a cut kept it: the text after a cut's marker starting with one. */
  #cutEnds(text: string): string {
    let result = text;
    // From the last cut, so the positions of the earlier ones stay right.
    for (const cut of cutEnds(text).reverse()) {
      // A cut by bytes inside a multi-byte character leaves replacement characters before the rest.
      let start = cut;
      while (result[start] === '\uFFFD' && start - cut < 3) start++;
      const kept = this.#longestEndAt(result, start);
      if (kept > 0) result = `${result.slice(0, cut)}${REDACTED}${result.slice(start + kept)}`;
    }
    return result;
  }

  /** The length of the longest end of a secret's form (shorter than the form) that `text` has at `start`. */
  #longestEndAt(text: string, start: number): number {
    let longest = 0;
    for (const form of this.#forms) {
      for (let length = form.length - 1; length >= Math.max(MIN_CUT_CHARS, longest + 1); length--) {
        if (text.startsWith(form.slice(-length), start)) {
          longest = length;
          break;
        }
      }
    }
    return longest;
  }
}
