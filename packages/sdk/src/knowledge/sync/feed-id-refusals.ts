import { isFleetHttpError } from '../../client/errors.ts';

/** How long a peer that refused `feedId` is pulled without it before it is offered again (it may have been upgraded). */
export const FEED_ID_RETRY_MS = 10 * 60 * 1000;

/**
 * Whether `error` is a peer's 400 refusing the `feedId` of a pull: a node of a version before feed
 * histories validates the pull input strictly and names the unknown key.
 */
export function refusesFeedId(error: unknown): boolean {
  if (!isFleetHttpError(error) || error.status !== 400) return false;
  const { details } = error;
  if (typeof details !== 'object' || details === null || Array.isArray(details)) return false;
  const { issues } = details;
  return Array.isArray(issues) && issues.some((issue) => isIssueOn(issue, 'feedId'));
}

function isIssueOn(issue: unknown, field: string): boolean {
  return typeof issue === 'object' && issue !== null && (issue as { field?: unknown }).field === field;
}

/**
 * The peers that refused `feedId` in a pull (nodes not yet upgraded, during a rolling upgrade),
 * per sync engine: they are pulled without it, their cursors judged by position alone, and offered
 * it again after {@link FEED_ID_RETRY_MS}.
 */
export class FeedIdRefusals {
  readonly #until = new Map<string, number>();

  /** Whether a pull from `peerId` may name its cursor's feed at `now` (epoch ms). */
  takes(peerId: string, now: number): boolean {
    const until = this.#until.get(peerId);
    if (until === undefined) return true;
    if (now < until) return false;
    this.#until.delete(peerId);
    return true;
  }

  /** Records that `peerId` refused `feedId` at `now`. */
  refused(peerId: string, now: number): void {
    this.#until.set(peerId, now + FEED_ID_RETRY_MS);
  }
}
