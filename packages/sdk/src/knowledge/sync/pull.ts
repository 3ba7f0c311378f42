import { checkPage } from './check-page.ts';
import type { PeerSyncContext } from './peer-sync-context.ts';
import { isResyncRequired, pullPage, resyncReason } from './pull-page.ts';
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
 * Switches to a full resync ({@link resyncFromPeer}) when the peer answers `resync_required`, or
 * when its page comes from another feed than the cursor (its database was replaced, and the new
 * feed already reaches past the cursor, so the peer cannot tell).
 */
export async function pullFromPeer(context: PeerSyncContext): Promise<void> {
  const { db, peer, progress } = context;
  let state = db.peerState(peer.id);
  if (state.lastPulledSeq === 0 || state.pullSnapshot !== null) {
    if (!(await pullSnapshot(context))) return;
    state = db.peerState(peer.id);
  }
  let since = state.lastPulledSeq;
  let next: Promise<PulledPage> | undefined = pullPage(context, since);
  while (next) {
    let page: PulledPage;
    try {
      page = await next;
    } catch (error) {
      if (since > 0 && isResyncRequired(error)) {
        context.log(`peer ${peer.id} needs a full resync (${error instanceof Error ? error.message : String(error)})`);
        await resyncFromPeer(context, resyncReason(error));
        return;
      }
      throw error;
    }
    checkPage(context, since, page);
    if (since > 0 && isAnotherFeed(state.pulledFeedId, page.feedId)) {
      context.log(`peer ${peer.id} answers from a new database (feed ${page.feedId}, was ${state.pulledFeedId})`);
      await resyncFromPeer(context, 'replaced');
      return;
    }
    next = page.hasMore ? prefetch(context, page.nextSince, since) : undefined;
    // Let the request go out before the synchronous apply holds the event loop.
    if (next) await new Promise((resolve) => setImmediate(resolve));
    db.applyPulled(peer.id, page);
    progress.pulled += page.checked.items.length;
    since = page.nextSince;
  }
}

/** True when both feed ids are known and differ. */
function isAnotherFeed(stored: string | null, received: string | undefined): boolean {
  return stored !== null && received !== undefined && stored !== received;
}

/** Requests the page after `since` while the page before it is still being applied. */
function prefetch(context: PeerSyncContext, since: number, acknowledged: number): Promise<PulledPage> {
  const request = pullPage(context, since, acknowledged);
  // A failed apply abandons this request: its rejection must not go unhandled.
  request.catch(() => undefined);
  return request;
}
