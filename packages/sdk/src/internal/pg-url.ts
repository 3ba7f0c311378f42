import { redactUrl } from './url-credentials.ts';

const ENCODE_HINT =
  'percent-encode special characters of the user name and password (# as %23, / as %2F, ? as %3F, @ as %40)';
/** A user name or password whose raw `#`, `/` or `?` cut the URL's host part short. */
const CUT_SHORT = `a '#', '/' or '?' in the user name or password ends its host part early: ${ENCODE_HINT}`;

/**
 * Throws a `TypeError` when `pg` could not read `url`, or would read its host from the wrong place;
 * the message shows the URL without its user info and query (see {@link redactUrl}). A password
 * may hold any character when percent-encoded: a raw `#`, `/` or `?` in it ends the host part early
 * (`postgres://fleet:pa#ss@db/fleet` names the host `fleet`), and `pg` would throw later, from a
 * connection attempt, or connect somewhere else.
 */
export function assertPostgresUrl(url: string): void {
  const problem = problemOf(url);
  if (problem) throw new TypeError(`invalid PostgreSQL URL ${redactUrl(url)}: ${problem}`);
}

function problemOf(url: string): string | undefined {
  const parsed = parse(url);
  if (parsed === undefined) {
    return userInfoOf(url)?.match(/[#/?]/)
      ? CUT_SHORT
      : `check its host and port (a number up to 65535), and ${ENCODE_HINT}`;
  }
  // Parsed, but an `@` outside the user info: the user info ended early at a raw `#`, `/` or `?`
  // (`postgres://fleet:12#ss@db/fleet` is host `fleet`, port 12). A query's `user=me@host` is fine.
  const misplaced =
    parsed.username === '' &&
    (parsed.hash.includes('@') ||
      parsed.pathname.includes('@') ||
      [...parsed.searchParams.keys()].some((key) => key.includes('@')));
  if (misplaced) return CUT_SHORT;
  return undefined;
}

/**
 * `url` parsed as `pg` (pg-connection-string) parses it: relative to `postgres://base`, also with an
 * empty host (`user@/db`); a socket directory (`/var/run/postgresql db`) is no URL and always reads.
 */
function parse(url: string): URL | undefined {
  if (url.startsWith('/')) return new URL('postgres://socket');
  try {
    return new URL(url, 'postgres://base');
  } catch {
    try {
      return new URL(url.replace('@/', '@___DUMMY___/'), 'postgres://base');
    } catch {
      return undefined;
    }
  }
}

/** What stands between the scheme and the last `@`, if there is one. */
function userInfoOf(url: string): string | undefined {
  const start = url.indexOf('://');
  const at = url.lastIndexOf('@');
  return start >= 0 && at > start ? url.slice(start + 3, at) : undefined;
}
