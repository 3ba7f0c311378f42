/** What a secret is replaced with in text meant to be shown. */
export const REDACTED = '***';

/**
 * Shortest secret {@link redact} replaces: a shorter value (a `CACHE_KEY` of `1`) would garble every
 * text it appears in and hide next to nothing.
 */
export const MIN_SECRET_CHARS = 4;

/**
 * `text` with every secret of at least 4 characters replaced by `***`, the longest first, so a
 * secret that contains another (`Bearer <token>` and the token) is replaced whole.
 * @example redact('got Bearer tk_123', ['tk_123']) // 'got Bearer ***'
 */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  const shown = secrets.filter((secret): secret is string => secret !== undefined && secret.length >= MIN_SECRET_CHARS);
  let result = text;
  for (const secret of shown.sort((a, b) => b.length - a.length)) result = result.split(secret).join(REDACTED);
  return result;
}

/** A copy of a JSON-like value with every string in it (not the keys) passed through `map`. */
export function mapStrings<T>(value: T, map: (text: string) => string): T {
  if (typeof value === 'string') return map(value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => mapStrings(item, map)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, mapStrings(item, map)])) as T;
  }
  return value;
}

/** A copy of a JSON-like value with every string in it (not the keys) passed through {@link redact}. */
export function redactDeep<T>(value: T, secrets: readonly (string | undefined)[]): T {
  return mapStrings(value, (text) => redact(text, secrets));
}
