import { createHash, timingSafeEqual } from 'node:crypto';
import type { H3Event } from 'h3';

/** Name of the cookie that carries a browser's session. */
export const SESSION_COOKIE = 'fleet_dashboard_session';

/** How long a page session lasts: 12 hours, then `?token=` again. */
export const SESSION_MAX_AGE_SECONDS = 12 * 3600;

function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** The cookie value a token opens: derived from it, so the cookie never holds the token itself. */
function sessionOf(token: string): string {
  return sha256(`fleet-dashboard-session\0${token}`).toString('base64url');
}

/** Compares digests with `timingSafeEqual`, against every known value, so timing leaks nothing. */
function matchesAny(value: string, known: readonly Buffer[]): boolean {
  const presented = sha256(value);
  let match = false;
  for (const digest of known) match = timingSafeEqual(digest, presented) || match;
  return match;
}

function cookieValue(header: string | null, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

/**
 * The token check of what a browser opens: the HTML pages, the badges and the event stream. A
 * browser cannot put a bearer header on a page load or an `EventSource`, so besides the header it
 * accepts a session cookie, which opening any page with `?token=<token>` sets (HttpOnly,
 * SameSite=Strict) before redirecting to the same page without the token in its URL.
 * The JSON API (`/api/status`, ...) keeps to bearer headers, like every Fleet server.
 */
export class BrowserAuth {
  readonly #tokens: Buffer[];
  readonly #sessions: Buffer[];

  /** Builds the check for `tokens`; there must be at least one. */
  constructor(tokens: readonly string[]) {
    if (tokens.length === 0) throw new TypeError('BrowserAuth needs at least one token');
    this.#tokens = tokens.map(sha256);
    this.#sessions = tokens.map((token) => sha256(sessionOf(token)));
  }

  /** Whether the request carries a valid bearer header or session cookie. */
  allows(event: H3Event): boolean {
    const authorization = event.req.headers.get('authorization');
    if (authorization?.slice(0, 7).toLowerCase() === 'bearer ') return this.isToken(authorization.slice(7).trim());
    const session = cookieValue(event.req.headers.get('cookie'), SESSION_COOKIE);
    return session !== undefined && matchesAny(session, this.#sessions);
  }

  /** Whether `token` is one of the configured tokens. */
  isToken(token: string): boolean {
    return matchesAny(token, this.#tokens);
  }

  /**
   * The `Set-Cookie` value that opens a session for `token` (a valid one: check {@link isToken}).
   * It lasts {@link SESSION_MAX_AGE_SECONDS} (a stolen cookie does not open the pages for good);
   * `Secure` when the page was loaded over HTTPS.
   */
  sessionCookie(token: string, secure: boolean): string {
    const attributes = `Path=/; Max-Age=${SESSION_MAX_AGE_SECONDS}; HttpOnly; SameSite=Strict`;
    return `${SESSION_COOKIE}=${sessionOf(token)}; ${attributes}${secure ? '; Secure' : ''}`;
  }
}
