/** An error as one line for a status field; the reason alone for an abort. */
export function describeError(error: unknown): string {
  if (typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'AbortError') {
    return 'read cancelled';
  }
  return error instanceof Error ? error.message : String(error);
}
