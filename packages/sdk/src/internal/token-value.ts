/**
 * What is wrong with a bearer token as the value of an `Authorization` header, or `undefined` when
 * it can be sent (after {@link trimToken}). Never repeats the token: the reason goes into error
 * messages and logs.
 */
export function tokenProblem(token: string): string | undefined {
  if (trimToken(token) === '' && token !== '') return 'it is only whitespace';
  return headerValueProblem(token);
}

/**
 * What is wrong with `value` as an HTTP header value (a token, a cookie), or `undefined` when it can
 * be sent (after {@link trimToken}, as fetch trims it). Never repeats the value.
 */
export function headerValueProblem(value: string): string | undefined {
  // fetch refuses a NUL or a line break in a header value with a message that repeats the whole
  // value; other control characters it would send, and no server compares them as meant.
  const codes = [...trimToken(value)].map((char) => char.codePointAt(0) ?? 0);
  if (codes.some((code) => code < 0x20 || code === 0x7f))
    return 'it holds a control character (a line break, a tab...)';
  if (codes.some((code) => code > 0xff)) {
    return 'it holds a character a header cannot carry (only Latin-1 characters, best plain ASCII)';
  }
  return undefined;
}

/**
 * The token without the whitespace around it (a trailing newline of a token read from a file):
 * fetch drops it from a header value anyway, and servers trim the token they are given.
 */
export function trimToken(token: string): string {
  return token.replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, '');
}
