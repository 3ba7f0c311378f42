// A scheme, its slashes (either way, or none: WHATWG URLs allow `http:user:pass@host`), then
// the user info up to the last `@` before the host. A password may hold a `#` or `?` that is not
// percent-encoded (the URL then does not parse, and is shown as written): those are taken in too,
// but not whitespace, `/` or `\`, which keep `http://host/path@x` as it is.
// Not when a closing mark follows the `@` instead of a host: prose such as "(user:password@)".
const USER_INFO = /\b([a-z][a-z0-9+.-]*:[\\/]*)[^\s/\\@]*(?:@[^\s/\\@]*)*@(?![)\]},;])/gi;

/**
 * `text` with the user info of every URL in it shown as `***`, so an error message that repeats a
 * URL can go into a status, a log line or history.
 * @example redactUrlCredentials('bad URL: http://ops:pw@10.0.0.5/health') // 'bad URL: http://***@10.0.0.5/health'
 */
export function redactUrlCredentials(text: string): string {
  return text.replace(USER_INFO, '$1***@');
}

/**
 * One URL as written (which may not parse), safe to show: everything between its scheme and its
 * LAST `@` as `***` (a password may hold `/`, `?`, `#` or `@` that were not percent-encoded, so no
 * other rule finds where it ends), and its query and fragment, which may carry a token, as `?***`
 * and `#***`.
 * @example redactUrl('http://ops:pw/x@10.0.0.5/?token=t') // 'http://***@10.0.0.5/?***'
 */
export function redactUrl(url: string): string {
  const start = /^[a-z][a-z0-9+.-]*:[\\/]*/i.exec(url)?.[0].length ?? 0;
  const at = url.lastIndexOf('@');
  const shown = at < start ? url : `${url.slice(0, start)}***${url.slice(at)}`;
  return shown.replace(/([?#]).*$/s, '$1***');
}
