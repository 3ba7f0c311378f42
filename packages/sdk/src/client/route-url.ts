import type { RouteContract } from '../contract/route.ts';

/** The parts of a route call that shape its URL. */
export interface RouteUrlInput {
  params?: Record<string, unknown>;
  query?: Record<string, unknown>;
}

/**
 * The URL of a route call: `baseUrl` + the route's path with each `:name` replaced by the
 * URI-encoded `params.name`, + the `query` object as a query string (undefined and null values are
 * left out, arrays repeat the key).
 *
 * A catch-all parameter (`**:name`, which matches the rest of the path) keeps the `/` between the
 * segments of its value and encodes each segment; a value with a `.` or `..` segment, which URL
 * parsers would resolve away, is sent as one encoded segment instead (`a%2F..%2Fb`). The server
 * decodes both forms to the same value.
 *
 * @example
 * ```ts
 * routeUrl('http://127.0.0.1:8650', busRoutes.deadLetter, { params: { id: 'a/b' } });
 * //=> 'http://127.0.0.1:8650/deadletter/a%2Fb'
 * routeUrl('http://127.0.0.1:8651', knowledgeRoutes.get, { params: { key: 'hosts/ezra models' } });
 * //=> 'http://127.0.0.1:8651/facts/hosts/ezra%20models'
 * ```
 */
export function routeUrl(baseUrl: string, route: RouteContract, input: RouteUrlInput): string {
  const path = route.path.replace(/(\*\*)?:([A-Za-z_][A-Za-z0-9_]*)/g, (_match, catchAll, name: string) => {
    const value = input.params?.[name];
    if (value === undefined || value === null || value === '') {
      throw new TypeError(`${route.method} ${route.path}: missing path parameter \`${name}\``);
    }
    const text = String(value);
    if (text === '.' || text === '..') {
      throw new TypeError(`${route.method} ${route.path}: path parameter \`${name}\` cannot be "${text}"`);
    }
    return catchAll ? encodeCatchAll(text) : encodeURIComponent(text);
  });
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(input.query ?? {})) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item !== undefined && item !== null) search.append(key, String(item));
    }
  }
  const query = search.toString();
  return `${baseUrl.replace(/\/+$/, '')}${path}${query ? `?${query}` : ''}`;
}

/** Encodes each `/`-separated segment, unless one is a dot segment (or empty): then the whole value. */
function encodeCatchAll(value: string): string {
  const segments = value.split('/');
  if (segments.some((segment) => segment === '' || segment === '.' || segment === '..')) {
    return encodeURIComponent(value);
  }
  return segments.map(encodeURIComponent).join('/');
}
