import { isFleetHttpError } from '../../client/errors.ts';
import { isFleetError } from '../../errors.ts';
import type { ErrorCode } from '../../schemas/error.ts';

/**
 * The refusals of a pulled page by this node that leave the push to the peer worth sending: the
 * peer answered, as the registered node (the page's node id is checked before it is applied), and
 * only what it sent was refused here. `clock_skew`: a version from a peer whose clock ran ahead.
 */
const LOCAL_PULL_REFUSALS: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['clock_skew']);

/**
 * Whether an attempt still pushes after its pull failed with `error`. Only for this node's own
 * refusal of what the peer sent ({@link LOCAL_PULL_REFUSALS}); never after an abort, an error
 * answer of the peer (401, 403, 503...: the push would get the same), a peer that cannot be
 * reached, an answer that is not the contract's (the URL may lead to another service) or a page
 * from another node than the registered one.
 */
export function pushDespitePullFailure(error: unknown, signal: AbortSignal): boolean {
  if (signal.aborted || isFleetHttpError(error) || !isFleetError(error)) return false;
  return LOCAL_PULL_REFUSALS.has(error.code);
}
