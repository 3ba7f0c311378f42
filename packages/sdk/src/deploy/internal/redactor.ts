/** What a secret is replaced with. */
export const REDACTED = '***';

/**
 * The forms a secret takes in the text a deploy shows: as it is, escaped inside a double-quoted
 * string (JSON, and the `NAME="value"` lines of a systemd environment file: `\` and `"` escaped),
 * inside a single-quoted shell word (`'` as `'\''`), and URL-encoded.
 */
function encodings(secret: string): string[] {
  const json = JSON.stringify(secret).slice(1, -1);
  const envFile = secret.replaceAll('\\', '\\\\').replaceAll('"', '\\"');
  const shell = secret.replaceAll("'", "'\\''");
  return [secret, json, envFile, shell, encodeURIComponent(secret)];
}

/**
 * Replaces secret values in strings, also deep inside objects and arrays, in each form they take
 * when quoted or escaped (a token with a `"` appears as `\"` in an environment file's diff).
 */
export class Redactor {
  readonly #secrets: string[];

  constructor(secrets: Iterable<string>) {
    const forms = [...secrets].filter((secret) => secret.length > 0).flatMap(encodings);
    // Longest first, so a secret (or form) that contains another is replaced whole.
    this.#secrets = [...new Set(forms)].sort((a, b) => b.length - a.length);
  }

  text(value: string): string {
    let result = value;
    for (const secret of this.#secrets) result = result.split(secret).join(REDACTED);
    return result;
  }

  /** A copy of a JSON-like value with every string redacted. */
  deep<T>(value: T): T {
    if (typeof value === 'string') return this.text(value) as T;
    if (Array.isArray(value)) return value.map((item) => this.deep(item)) as T;
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, this.deep(item)])) as T;
    }
    return value;
  }
}
