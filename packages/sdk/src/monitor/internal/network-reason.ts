import { knownNetworkReason } from '../../internal/network-error.ts';

/**
 * Why a request got no (complete) answer, in a few words: `connection refused`,
 * `timed out after 5000 ms`. Never includes request headers, so tokens stay out of it.
 */
export function networkReason(error: unknown, timeoutMs: number): string {
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'TimeoutError') return `timed out after ${timeoutMs} ms`;
  if (name === 'AbortError') return 'probe cancelled';
  const known = knownNetworkReason(error);
  if (known !== undefined) return known;
  const cause = (error as { cause?: { message?: unknown } } | null)?.cause;
  if (typeof cause?.message === 'string' && cause.message !== '') return cause.message;
  return error instanceof Error ? error.message : String(error);
}
