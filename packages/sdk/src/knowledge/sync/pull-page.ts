import { isFleetError } from '../../errors.ts';
import type { SyncPullInputInit } from '../knowledge-client.ts';
import { refusesFeedId } from './feed-id-refusals.ts';
import type { PeerSyncContext } from './peer-sync-context.ts';
import type { PulledPage } from './pulled-page.ts';

/** True for the peer's answer that our cursor predates tombstones it has collected (HTTP 410). */
export function isResyncRequired(error: unknown): boolean {
  return isFleetError(error) && error.code === 'resync_required';
}

/**
 * Why the peer refused our cursor: it `collected` tombstones past it, or its feed was `replaced`
 * (it never gave our cursor out: it lost its database and started over under the same id, or
 * came back from an older copy).
 */
export type ResyncReason = 'collected' | 'replaced';

/** The peer's refusal of our cursor: why, and the feed it was serving when it judged it. */
export interface ResyncVerdict {
  reason: ResyncReason;
  /**
   * The peer's feed id in the refusal (`details.feedId`): a `collected` verdict on a cursor with
   * a feed id vouches that the cursor was given out by the database that feed is of. Null when the
   * refusal does not say (a peer older than feed histories, or a snapshot read that had to stop).
   */
  feedId: string | null;
}

/** Reads the reason from a `resync_required` error's details (`{ since, watermark, seq }`). */
export function resyncReason(error: unknown): ResyncReason {
  const details = isFleetError(error) ? error.details : undefined;
  if (typeof details === 'object' && details !== null && !Array.isArray(details)) {
    if (details.reason === 'collected' || details.reason === 'replaced') return details.reason;
    const { since, seq } = details;
    if (typeof since === 'number' && typeof seq === 'number' && since > seq) return 'replaced';
  }
  return 'collected';
}

/** Reads the reason and the peer's feed id from a `resync_required` error ({@link resyncReason}). */
export function resyncVerdict(error: unknown): ResyncVerdict {
  const details = isFleetError(error) ? error.details : undefined;
  const feedId =
    typeof details === 'object' && details !== null && !Array.isArray(details) && typeof details.feedId === 'string'
      ? details.feedId
      : null;
  return { reason: resyncReason(error), feedId };
}

/**
 * One page (`pullPageSize` changes at most) of the peer's feed after `since`, a position of feed
 * `feedId` (null when unknown), pulled as this node; `acknowledged` is the cursor this node has
 * committed when it is behind `since`.
 *
 * A peer of an older version refuses `feedId` (400 naming it): the page is pulled again without
 * it, and the peer is pulled without it for a while ({@link FeedIdRefusals}), its cursor judged by
 * position alone.
 */
export async function pullPage(
  context: PeerSyncContext,
  since: number,
  feedId: string | null,
  acknowledged?: number,
): Promise<PulledPage> {
  const { db, peer, pullPageSize, feedIdRefusals, now } = context;
  const input: SyncPullInputInit = { nodeId: db.nodeId, since, limit: pullPageSize };
  if (acknowledged !== undefined) input.acknowledged = acknowledged;
  if (feedId === null || !feedIdRefusals.takes(peer.id, now())) return requestPulledPage(context, input);
  try {
    return await requestPulledPage(context, { ...input, feedId });
  } catch (error) {
    if (!refusesFeedId(error)) throw error;
    feedIdRefusals.refused(peer.id, now());
    context.log(`peer ${peer.id} does not take feedId in a pull (an older version): pulling without it`);
    return requestPulledPage(context, input);
  }
}

/**
 * What the peer now says of cursor `since` of its feed `feedId`, asked with a pull of one change
 * (`acknowledged` 0, as a snapshot page records): `valid` when it accepts it, else the reason of its
 * `resync_required` refusal. `collected` and `valid` both mean the database the peer now runs has
 * that feed, up to `since`: it is the same file (restarted) or a copy that gave the cursor out.
 * A peer that does not take `feedId` (an older version, whose feed id changes only with a new
 * database) cannot vouch: `replaced`.
 */
export async function judgeCursor(
  context: PeerSyncContext,
  since: number,
  feedId: string,
): Promise<'valid' | ResyncReason> {
  const { db, peer, feedIdRefusals, now } = context;
  if (!feedIdRefusals.takes(peer.id, now())) return 'replaced';
  try {
    await requestPulledPage(context, { nodeId: db.nodeId, since, feedId, limit: 1, acknowledged: 0 });
    return 'valid';
  } catch (error) {
    if (isResyncRequired(error)) return resyncReason(error);
    if (!refusesFeedId(error)) throw error;
    feedIdRefusals.refused(peer.id, now());
    return 'replaced';
  }
}

/**
 * Sends one pull with the context's puller (from a worker thread, with the default clients) and
 * decodes the answer: validated with the `ChangePage` schema and checked for the store.
 */
export function requestPulledPage(context: PeerSyncContext, input: SyncPullInputInit): Promise<PulledPage> {
  return context.puller.pull(input, context.signal);
}
