import { redactUrlCredentials } from '../../internal/url-credentials.ts';

/**
 * An error as one line for a status field; the reason alone for an abort. The user info of a URL
 * the message repeats is shown as `***`.
 */
export function describeError(error: unknown): string {
  if (typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'AbortError') {
    return 'read cancelled';
  }
  return redactUrlCredentials(error instanceof Error ? error.message : String(error));
}
