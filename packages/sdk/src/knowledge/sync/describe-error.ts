import { isFleetHttpError, isResponseValidationError } from '../../client/errors.ts';
import { formatIssues } from '../../client/format-issues.ts';
import { isFleetError } from '../../errors.ts';

/** Longest error text kept in the sync status. */
const MAX_ERROR_LENGTH = 500;

/**
 * What the peer answered, in words that never quote a foreign answer: a Fleet error envelope's
 * message, otherwise the HTTP status only (its reason phrase and body are the answering service's
 * text, and a peer URL may lead to any service the node can reach).
 */
function describeAnswer(error: unknown): string | undefined {
  if (isFleetHttpError(error)) {
    // An error of another copy of the SDK may lack the flag: only a known envelope is quoted.
    const message =
      (error as { fromEnvelope?: boolean }).fromEnvelope === true
        ? error.message
        : `HTTP ${error.status} from the peer, not a Fleet error answer (its body is not shown)`;
    return `${error.code} (HTTP ${error.status}): ${message}`;
  }
  if (isResponseValidationError(error)) {
    // The issues name fields and expected types; without issues the body was not JSON at all.
    const problem = error.issues.length > 0 ? formatIssues(error.issues) : 'not JSON (its body is not shown)';
    return `the peer's answer (HTTP ${error.status}) does not match the contract: ${problem}`;
  }
  return undefined;
}

/**
 * One line saying why a sync attempt failed, for the sync result and the peer's `lastError`: the
 * error code (and the HTTP status) first, e.g. `unavailable: cannot reach http://ezra:8651
 * (connection refused)`. A failed answer that is not a Fleet error envelope is described by its
 * status only, e.g. `unauthorized (HTTP 403): HTTP 403 from the peer, not a Fleet error answer`.
 * `token`, the bearer token this node sends the peer, is replaced by `[token]` wherever it appears.
 */
export function describeSyncError(error: unknown, token?: string | null): string {
  let text = describeAnswer(error) ?? describeOther(error);
  // A peer's envelope may quote what it was sent (a peer echoing a bad token, say): the token this
  // node sends it is never shown, in the sync result, the peer's status or the dashboard.
  if (token) text = text.replaceAll(token, '[token]');
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH - 1)}…` : text;
}

function describeOther(error: unknown): string {
  if (isFleetError(error)) return `${error.code}: ${error.message}`;
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
