import { escapeRegExp } from '../../internal/escape-regexp.ts';
/** Route paths compiled to patterns, to tell "no such path" (404) from "not with this method" (405). */
export type MethodLookup = (pathname: string) => string[];

/** `:name` matches one segment, a catch-all `**:name` (or `**`) one or more. */
function toPattern(path: string): RegExp {
  const source = path
    .split('/')
    .map((segment) => {
      if (segment.startsWith('**')) return '[^/]+(?:/[^/]+)*';
      return segment.startsWith(':') ? '[^/]+' : escapeRegExp(segment);
    })
    .join('/');
  // The router ignores one trailing slash; so does this (a catch-all route then gets it back in its
  // parameter: see `withTrailingSlash`).
  return new RegExp(`^${source.replace(/\/$/, '')}/?$`);
}

/** Builds, once per server, the lookup of the methods a path is served with. */
export function createMethodLookup(routes: ReadonlyArray<{ method: string; path: string }>): MethodLookup {
  const patterns = routes.map((route) => ({ method: route.method, pattern: toPattern(route.path) }));
  return (pathname) => {
    const methods = new Set<string>();
    for (const { method, pattern } of patterns) if (pattern.test(pathname)) methods.add(method);
    return [...methods];
  };
}
