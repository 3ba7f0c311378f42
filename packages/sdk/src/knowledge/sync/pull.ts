import { checkPage } from './check-page.ts';
import type { PeerSyncContext } from './peer-sync-context.ts';
import { isResyncRequired, pullPage, resyncVerdict } from './pull-page.ts';
import { pullSnapshot } from './pull-snapshot.ts';
import type { PulledPage } from './pulled-page.ts';
import { resyncFromPeer } from './resync.ts';

/**
 * Pulls the peer's changes after the stored cursor, page by page until the peer has no more. The
 * first pull from a peer reads its facts in key order instead ({@link pullSnapshot}), then
 * follows the feed from where the snapshot started.
 * Each page is applied together with the cursor it advances to, in one transaction
 * (`applyPulled`), so a crash loses nothing.
 *
 * The next page is requested before the current one is applied, so the peer reads and sends it
 * while this node writes: the request names the committed cursor as `acknowledged`, and the
 * peer keeps the tombstones after it until a later pull acknowledges them. A crash therefore
 * re-sends at most two pages, the one being written and the one requested ahead: pages are half
 * a batch, so that is at most one batch.
 *
 * Every request names the feed its cursor was given out from (the stored one, then each page's):
 * the peer refuses a cursor it never gave out (its database was replaced or restored from an older
 * copy, even when its new feed already reaches past the cursor) and accepts one of an earlier feed
 * of the same file (it restarted), answering from its current feed. Switches to a full resync
 * ({@link resyncFromPeer}) when the peer answers `resync_required`.
 */
export async function pullFromPeer(context: PeerSyncContext): Promise<void> {
  const { db, peer, progress } = context;
  let state = db.peerState(peer.id);
  if (state.lastPulledSeq === 0 || state.pullSnapshot !== null) {
    if (!(await pullSnapshot(context))) return;
    state = db.peerState(peer.id);
  }
  let since = state.lastPulledSeq;
  let next: Promise<PulledPage> | undefined = pullPage(context, since, state.pulledFeedId);
  while (next) {
    let page: PulledPage;
    try {
      page = await next;
    } catch (error) {
      if (since > 0 && isResyncRequired(error)) {
        context.log(`peer ${peer.id} needs a full resync (${error instanceof Error ? error.message : String(error)})`);
        await resyncFromPeer(context, resyncVerdict(error));
        return;
      }
      throw error;
    }
    checkPage(context, since, page);
    next = page.hasMore ? prefetch(context, page.nextSince, page.feedId ?? null, since) : undefined;
    // Let the request go out before the synchronous apply holds the event loop.
    if (next) await new Promise((resolve) => setImmediate(resolve));
    db.applyPulled(peer.id, page);
    progress.pulled += page.checked.items.length;
    since = page.nextSince;
  }
}

/** Requests the page after `since` (of feed `feedId`) while the page before it is still being applied. */
function prefetch(
  context: PeerSyncContext,
  since: number,
  feedId: string | null,
  acknowledged: number,
): Promise<PulledPage> {
  const request = pullPage(context, since, feedId, acknowledged);
  // A failed apply abandons this request: its rejection must not go unhandled.
  request.catch(() => undefined);
  return request;
}
