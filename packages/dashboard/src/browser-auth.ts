import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { H3Event } from 'h3';

/** Name of the cookie that carries a browser's session. */
export const SESSION_COOKIE = 'fleet_dashboard_session';

/** How long a page session lasts: 12 hours, then `?token=` again. The server refuses an older cookie. */
export const SESSION_MAX_AGE_SECONDS = 12 * 3600;

/** How far in the future a cookie's issue time may be (clocks of replicas drift apart), in seconds. */
const CLOCK_SKEW_SECONDS = 60;

/** A cookie value: the issue time in epoch seconds, a dot, and the base64url HMAC-SHA256 of it. */
const SESSION_VALUE = /^(\d{1,12})\.([\w-]{43})$/;

function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * The MAC of a session issued at `issuedAt` (epoch seconds): keyed by the token, so the cookie never
 * holds the token, and rotating the token ends every session it opened.
 */
function sessionMac(token: string, issuedAt: string): Buffer {
  return createHmac('sha256', token).update(`fleet-dashboard-session\0${issuedAt}`, 'utf8').digest();
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
 * SameSite=Lax) before redirecting to the same page without the token in its URL.
 * The JSON API (`/api/status`, ...) keeps to bearer headers, like every Fleet server.
 */
export class BrowserAuth {
  readonly #tokens: Buffer[];
  // The tokens themselves key the session MACs.
  readonly #keys: readonly string[];

  /** Builds the check for `tokens`; there must be at least one. */
  constructor(tokens: readonly string[]) {
    if (tokens.length === 0) throw new TypeError('BrowserAuth needs at least one token');
    this.#tokens = tokens.map(sha256);
    this.#keys = [...tokens];
  }

  /** Whether the request carries a valid bearer header or session cookie. */
  allows(event: H3Event): boolean {
    const authorization = event.req.headers.get('authorization');
    if (authorization?.slice(0, 7).toLowerCase() === 'bearer ') return this.isToken(authorization.slice(7).trim());
    const session = cookieValue(event.req.headers.get('cookie'), SESSION_COOKIE);
    return session !== undefined && this.#isSession(session);
  }

  /**
   * Whether `value` is a session cookie one of the tokens issued less than {@link SESSION_MAX_AGE_SECONDS}
   * ago (and not later than a small clock skew from now). The MAC is compared in constant time against
   * every token's, so timing tells nothing of which token or how much of the MAC matched.
   */
  #isSession(value: string): boolean {
    const parsed = SESSION_VALUE.exec(value);
    if (!parsed) return false;
    const [, issuedAt = '', mac = ''] = parsed;
    const age = Date.now() / 1000 - Number(issuedAt);
    if (age > SESSION_MAX_AGE_SECONDS || age < -CLOCK_SKEW_SECONDS) return false;
    const presented = Buffer.from(mac, 'base64url');
    if (presented.length !== 32) return false;
    let match = false;
    for (const token of this.#keys) match = timingSafeEqual(sessionMac(token, issuedAt), presented) || match;
    return match;
  }

  /** Whether `token` is one of the configured tokens. */
  isToken(token: string): boolean {
    return matchesAny(token, this.#tokens);
  }

  /**
   * The `Set-Cookie` value that opens a session for `token` (a valid one: check {@link isToken}).
   * The value is the issue time and an HMAC of it keyed by the token, and {@link allows} refuses it
   * after {@link SESSION_MAX_AGE_SECONDS} (the same as `Max-Age`), so a stolen cookie does not open
   * the pages for good; `Secure` when the page was loaded over HTTPS.
   */
  sessionCookie(token: string, secure: boolean): string {
    const issuedAt = String(Math.floor(Date.now() / 1000));
    const value = `${issuedAt}.${sessionMac(token, issuedAt).toString('base64url')}`;
    // Lax, not Strict: a link followed from another site (an alert in a chat, a bookmark page) is a
    // navigation that site started, and a Strict cookie stays home, even on the redirect that set
    // it. The cookie only opens pages, badges and the event stream, which change nothing.
    const attributes = `Path=/; Max-Age=${SESSION_MAX_AGE_SECONDS}; HttpOnly; SameSite=Lax`;
    return `${SESSION_COOKIE}=${value}; ${attributes}${secure ? '; Secure' : ''}`;
  }
}
