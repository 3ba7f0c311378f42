import { z } from 'zod';

const PROTOCOL_HINT = 'must be an http:// or https:// URL';

/**
 * An `http:` or `https:` URL without user info. `fetch` refuses a URL with `user:password@` with
 * an error that repeats it, password included, into logs and statuses, and a link built on one
 * shows it to everyone it is sent to: `credentialsHint` says where the credentials go instead.
 *
 * @example httpUrlWithoutCredentials("must not include credentials (user:password@); use the channel's token instead")
 */
export function httpUrlWithoutCredentials(credentialsHint: string) {
  return z
    .url({ protocol: /^https?$/, error: PROTOCOL_HINT })
    .refine((url) => !hasUrlCredentials(url), credentialsHint)
    .describe('http(s) URL without user:password@');
}

/**
 * True when `url` parses as a URL with a user name or password (`http://user:pass@host/`). Such
 * a URL is refused wherever one is configured: `fetch` rejects it with an error that repeats it,
 * password included, into logs, statuses and history.
 */
export function hasUrlCredentials(url: string): boolean {
  if (!URL.canParse(url)) return false;
  const parsed = new URL(url);
  return parsed.username !== '' || parsed.password !== '';
}

/** A base path: empty, or `/`-separated segments of unreserved characters, with or without a final `/`. */
const BASE_PATH = /^(?:\/[A-Za-z0-9._~-]+)*\/?$/;

/**
 * Why `url` cannot be the base URL of a Fleet server that route paths are appended to (e.g.
 * `/sync/pull`), or undefined when it can: it must have no query string and no fragment (they
 * would swallow the appended path, so any path of the host could be reached) and a path that is
 * empty or a base path such as `/fleet/knowledge` (letters, digits, `-`, `.`, `_`, `~` between
 * slashes: nothing percent-encoded that a proxy might decode into a `?`). Credentials are checked
 * by {@link hasUrlCredentials}.
 *
 * @example baseUrlProblem('http://10.0.0.5:8651/admin?x=') //=> 'must not have a query string (?…)'
 */
export function baseUrlProblem(url: string): string | undefined {
  if (url.includes('?')) return 'must not have a query string (?…)';
  if (url.includes('#')) return 'must not have a fragment (#…)';
  if (!URL.canParse(url)) return undefined;
  if (!BASE_PATH.test(new URL(url).pathname)) {
    return 'must have an empty path or a base path such as /fleet/knowledge (letters, digits, -, ., _ and ~ between slashes)';
  }
  return undefined;
}

/**
 * An `http:` or `https:` base URL of a server whose route paths are appended to it: no user info
 * (`credentialsHint` says where credentials go instead), no query string, no fragment, and a path
 * that is empty or a base path ({@link baseUrlProblem}).
 *
 * @example httpBaseUrl('must not include credentials (user:password@); give the peer a token instead')
 */
export function httpBaseUrl(credentialsHint: string) {
  return z
    .url({ protocol: /^https?$/, error: PROTOCOL_HINT })
    .check(
      z.superRefine((url, context) => {
        if (hasUrlCredentials(url)) context.addIssue({ code: 'custom', message: credentialsHint });
        const problem = baseUrlProblem(url);
        if (problem !== undefined) context.addIssue({ code: 'custom', message: problem });
      }),
    )
    .describe('http(s) base URL: no user:password@, no query string or fragment, an empty or base path');
}
