import { headerValueProblem } from '../../internal/token-value.ts';

// RFC 9110 `token`: what fetch accepts as a header name.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * Throws a `TypeError` for a header a request cannot carry: a name that is no HTTP token, or a
 * value with a control character (a line break) or a character beyond Latin-1. fetch would refuse
 * it with a message quoting the whole value, often a token; this one names the header only.
 */
export function assertSendableHeaders(headers: Readonly<Record<string, string>>): void {
  for (const [name, value] of Object.entries(headers)) {
    if (!HEADER_NAME.test(name)) throw new TypeError(`invalid header name ${JSON.stringify(name)}`);
    const problem = typeof value === 'string' ? headerValueProblem(value) : 'it is not a string';
    if (problem) throw new TypeError(`invalid header ${JSON.stringify(name)}: ${problem}; the value is not shown`);
  }
}
