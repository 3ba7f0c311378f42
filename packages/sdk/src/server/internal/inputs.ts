/**
 * The query string as an object: a key given once maps to its string, a repeated key to an array
 * of its values (`?tag=a&tag=b` -> `{ tag: ['a', 'b'] }`).
 */
export function parseQuery(search: string): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = Object.create(null);
  if (search.length <= 1) return query;
  for (const [key, value] of new URLSearchParams(search)) {
    const existing = query[key];
    if (existing === undefined) query[key] = value;
    else if (typeof existing === 'string') query[key] = [existing, value];
    else existing.push(value);
  }
  return query;
}

/** Route parameters with percent-escapes decoded (`/deadletter/a%20b` -> `{ id: 'a b' }`). */
export function decodeParams(params: Record<string, string> | undefined): Record<string, string> {
  if (params === undefined) return Object.create(null);
  let decoded: Record<string, string> | undefined;
  for (const key in params) {
    const value = params[key]!;
    if (!value.includes('%')) continue;
    decoded ??= { ...params };
    try {
      decoded[key] = decodeURIComponent(value);
    } catch {
      // A malformed escape stays as sent; the params schema decides.
    }
  }
  return decoded ?? params;
}
