import { knownNetworkReason } from '../../internal/network-error.ts';
import { redactUrlCredentials } from '../../internal/url-credentials.ts';

/**
 * Why a request got no (complete) answer, in a few words: `connection refused`,
 * `timed out after 5000 ms`. Never includes request headers, so tokens stay out of it, nor the
 * user info of a URL an error message repeats.
 */
export function networkReason(error: unknown, timeoutMs: number): string {
  return redactUrlCredentials(reasonOf(error, timeoutMs));
}

function reasonOf(error: unknown, timeoutMs: number): string {
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'TimeoutError') return `timed out after ${timeoutMs} ms`;
  if (name === 'AbortError') return 'probe cancelled';
  const known = knownNetworkReason(error);
  if (known !== undefined) return known;
  const cause = (error as { cause?: { message?: unknown } } | null)?.cause;
  if (typeof cause?.message === 'string' && cause.message !== '') return cause.message;
  return error instanceof Error ? error.message : String(error);
}
