/**
 * Shortest part of a URL or a header value hidden on its own: a credential is rarely shorter (a
 * Zapier catch hook's segments have 6 or 7 characters), while the words a webhook URL is made of
 * (`hooks`, `fleet`, `api`) stay readable in a receiver's answer. The whole path, query and
 * header value are hidden at any length from 4 (`redact`).
 */
export const MIN_PART_CHARS = 6;

function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * Words webhook URLs are commonly made of, never taken for a credential on their own (a receiver's
 * answer saying `unknown service` or `incoming webhook disabled` stays readable). Compared in
 * lower case.
 */
const URL_WORDS = new Set([
  'actions',
  'alerts',
  'callback',
  'channel',
  'channels',
  'default',
  'endpoint',
  'events',
  'incoming',
  'inbound',
  'integration',
  'integrations',
  'messages',
  'notifications',
  'notify',
  'service',
  'services',
  'trigger',
  'triggers',
  'webhook',
  'webhooks',
  'workflow',
  'workflows',
]);

function parts(values: Iterable<string>): string[] {
  return [...new Set(values)].filter((value) => value.length >= MIN_PART_CHARS && !URL_WORDS.has(value.toLowerCase()));
}

/**
 * What of a channel's URL may be, or hold, its credential: the whole path and query string, and
 * on their own each path segment and each query value of at least {@link MIN_PART_CHARS}, as sent
 * and percent-decoded. A receiver that quotes one segment or one
 * value of the URL (`invalid token <value>`) then shows `***` too.
 */
export function urlSecrets(url: string): string[] {
  const { pathname, search, searchParams, username, password } = new URL(url);
  const query = search.slice(1);
  // User info too, though the channels' schema refuses URLs with credentials.
  const whole = [pathname, decoded(pathname), query, decoded(query), username, password];
  const segments = pathname.split('/').flatMap((segment) => [segment, decoded(segment)]);
  const rawValues = query
    .split('&')
    .map((pair) => pair.slice(pair.indexOf('=') + 1))
    .flatMap((value) => [value, decoded(value)]);
  return [
    ...new Set(whole.filter((value) => value.length > 1)),
    ...parts([...segments, ...rawValues, ...searchParams.values()]),
  ];
}

/** Headers that describe the request, never a credential: their values are not hidden. */
const DESCRIPTIVE_HEADERS = new Set([
  'accept',
  'accept-encoding',
  'accept-language',
  'content-encoding',
  'content-language',
  'content-type',
  'user-agent',
]);

/**
 * What of a channel's headers may be a credential: the value of each header but those that only
 * describe the request (`Content-Type`, `Accept`, ...), and each word of it after the first (the
 * credentials after an auth scheme such as `Bearer`), so an answer quoting the token alone shows
 * `***` too.
 */
export function headerSecrets(headers: Readonly<Record<string, string>>): string[] {
  const values = Object.entries(headers)
    .filter(([name]) => !DESCRIPTIVE_HEADERS.has(name.toLowerCase()))
    .map(([, value]) => value);
  return [...values, ...parts(values.flatMap((value) => value.trim().split(/\s+/).slice(1)))];
}
