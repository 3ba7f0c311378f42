import type { PeerSyncContext } from './peer-sync-context.ts';
import { isResyncRequired, resyncVerdict } from './pull-page.ts';
import { readSnapshot } from './read-snapshot.ts';
import { resyncFromPeer } from './resync.ts';

/**
 * The first pull from a peer: reads the state of every key in key order ({@link readSnapshot}),
 * so this node inserts in key order and its indexes grow at their ends instead of rewriting pages
 * all over (about 40% less work per fact than following the feed from 0). Each page is applied
 * with the progress in one transaction; a crash resumes after the last key applied. When it ends,
 * the pull cursor is the peer's feed position from before the snapshot started: everything
 * written since is in the feed after it (keys read twice are applied idempotently).
 *
 * When the peer collects tombstones or replaces its database during the snapshot, a full resync
 * takes over. Resolves true when the peer's feed moved during the snapshot (it must be followed
 * now).
 */
export async function pullSnapshot(context: PeerSyncContext): Promise<boolean> {
  const { db, peer, progress } = context;
  const stored = db.peerState(peer.id).pullSnapshot;
  try {
    const { feedMoved } = await readSnapshot(
      context,
      {
        afterKey: stored?.afterKey ?? null,
        origin: stored ? { ...stored, seen: stored.seen ?? stored.seq } : undefined,
      },
      (page, nextKey, origin) => {
        db.applySnapshotPage(peer.id, page, { ...origin, afterKey: nextKey }, nextKey === null);
        progress.pulled += page.checked.items.length;
      },
    );
    return feedMoved;
  } catch (error) {
    if (!isResyncRequired(error)) throw error;
    context.log(`first pull from peer ${peer.id} gives way to a full resync (${(error as Error).message})`);
    // The snapshot progress stays until the resync has stored its cursor: a failed resync is retried.
    await resyncFromPeer(context, resyncVerdict(error));
    db.endPullSnapshot(peer.id);
    return false;
  }
}
