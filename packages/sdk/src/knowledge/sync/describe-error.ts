import { isFleetHttpError } from '../../client/errors.ts';
import { isFleetError } from '../../errors.ts';

/** Longest error text kept in the sync status. */
const MAX_ERROR_LENGTH = 500;

/**
 * One line saying why a sync attempt failed, for the peer's `lastError`: the error code (and the
 * HTTP status) first, e.g. `unavailable: cannot reach http://ezra:8651 (connection refused)`.
 */
export function describeSyncError(error: unknown): string {
  let text: string;
  if (isFleetHttpError(error)) text = `${error.code} (HTTP ${error.status}): ${error.message}`;
  else if (isFleetError(error)) text = `${error.code}: ${error.message}`;
  else if (error instanceof Error) text = error.message || error.name;
  else text = String(error);
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH - 1)}…` : text;
}
