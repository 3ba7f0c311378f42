import { knownNetworkReason } from '../../internal/network-error.ts';
import { redactUrlCredentials } from '../../internal/url-credentials.ts';

/**
 * Why a request got no (complete) answer, in a few words: `connection refused`,
 * `timed out after 5000 ms`, `invalid request header` (one fetch would not send). Never includes
 * request headers, so tokens stay out of it, nor the user info of a URL an error message repeats.
 */
export function networkReason(error: unknown, timeoutMs: number): string {
  return redactUrlCredentials(reasonOf(error, timeoutMs));
}

/**
 * fetch's error for a header it would not send quotes the whole value (often a token): Node words
 * it `Headers.append: "<value>" is an invalid header value.` (or `... header name.`), and one past
 * Latin-1 `Cannot convert argument to a ByteString because ...`. Said in fixed words instead. (Its
 * error for a URL with credentials keeps its words: the user info is redacted from every reason.)
 */
const HEADER_ERROR = /^Headers\b|ByteString|invalid header (name|value)/i;

function reasonOf(error: unknown, timeoutMs: number): string {
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'TimeoutError') return `timed out after ${timeoutMs} ms`;
  if (name === 'AbortError') return 'probe cancelled';
  const known = knownNetworkReason(error);
  if (known !== undefined) return known;
  if (error instanceof TypeError && HEADER_ERROR.test(error.message)) return 'invalid request header';
  const cause = (error as { cause?: { message?: unknown } } | null)?.cause;
  if (typeof cause?.message === 'string' && cause.message !== '') return cause.message;
  return error instanceof Error ? error.message : String(error);
}
