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
 * @example
 * ```ts
 * routeUrl('http://127.0.0.1:8650', busRoutes.deadLetter, { params: { id: 'a/b' } });
 * //=> 'http://127.0.0.1:8650/deadletter/a%2Fb'
 * ```
 */
export function routeUrl(baseUrl: string, route: RouteContract, input: RouteUrlInput): string {
  const path = route.path.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, (_match, name: string) => {
    const value = input.params?.[name];
    if (value === undefined || value === null || value === '') {
      throw new TypeError(`${route.method} ${route.path}: missing path parameter \`${name}\``);
    }
    return encodeURIComponent(String(value));
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
