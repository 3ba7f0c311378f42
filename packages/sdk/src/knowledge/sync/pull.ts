import type { ChangePage } from '../../schemas/sync.ts';
import { checkPage } from './check-page.ts';
import type { PeerSyncContext } from './peer-sync-context.ts';
import { isResyncRequired, pullPage, resyncReason } from './pull-page.ts';
import { resyncFromPeer } from './resync.ts';

/**
 * Pulls the peer's changes after the stored cursor, page by page until the peer has no more.
 * Each page is applied together with the cursor it advances to, in one transaction
 * (`applyPulled`), so a crash re-fetches at most the page that was in flight. When the peer
 * answers `resync_required`, switches to a full resync ({@link resyncFromPeer}).
 */
export async function pullFromPeer(context: PeerSyncContext): Promise<void> {
  const { db, peer, progress } = context;
  for (;;) {
    const since = db.peerState(peer.id).lastPulledSeq;
    let page: ChangePage;
    try {
      page = await pullPage(context, since);
    } catch (error) {
      if (since > 0 && isResyncRequired(error)) {
        context.log(`peer ${peer.id} needs a full resync (${error instanceof Error ? error.message : String(error)})`);
        await resyncFromPeer(context, resyncReason(error));
        return;
      }
      throw error;
    }
    checkPage(context, since, page);
    db.applyPulled(peer.id, page);
    progress.pulled += page.changes.length;
    if (!page.hasMore) return;
  }
}
