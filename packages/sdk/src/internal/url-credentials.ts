// A scheme, its slashes (either way, or none: WHATWG URLs allow `http:user:pass@host`), then
// the user info up to the last `@` before the host: it never holds whitespace, `/`, `\`, `?`, `#`.
// Not when a closing mark follows the `@` instead of a host: prose such as "(user:password@)".
const USER_INFO = /\b([a-z][a-z0-9+.-]*:[\\/]*)[^\s/\\?#@]*(?:@[^\s/\\?#@]*)*@(?![)\]},;])/gi;

/**
 * `text` with the user info of every URL in it shown as `***`, so an error message that repeats a
 * URL can go into a status, a log line or history.
 * @example redactUrlCredentials('bad URL: http://ops:pw@10.0.0.5/health') // 'bad URL: http://***@10.0.0.5/health'
 */
export function redactUrlCredentials(text: string): string {
  return text.replace(USER_INFO, '$1***@');
}
