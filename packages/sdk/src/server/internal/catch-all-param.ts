/** The name of the catch-all parameter of a route path (`/facts/**:key` -> `key`), or undefined. */
export function catchAllParam(path: string): string | undefined {
  return /\/\*\*:([A-Za-z_][A-Za-z0-9_]*)$/.exec(path)?.[1];
}

/**
 * `params` with the trailing `/` of `pathname` put back on the catch-all parameter `name`. The
 * router drops one trailing slash before it captures the rest of the path, so `/facts/a/` would
 * otherwise address `a`, another key; with it the value is `a/`, which the route's schema judges.
 */
export function withTrailingSlash(
  params: Record<string, string> | undefined,
  name: string,
  pathname: string,
): Record<string, string> | undefined {
  const value = params?.[name];
  if (value === undefined || !pathname.endsWith('/') || value.endsWith('/')) return params;
  return { ...params, [name]: `${value}/` };
}
