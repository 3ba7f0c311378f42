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
