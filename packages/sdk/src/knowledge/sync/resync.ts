import type { Change } from '../../schemas/sync.ts';
import type { PeerSyncContext } from './peer-sync-context.ts';
import { isResyncRequired, judgeCursor, type ResyncReason, type ResyncVerdict, resyncVerdict } from './pull-page.ts';
import { pushChunks } from './push.ts';
import { readSnapshot } from './read-snapshot.ts';

/** How often a full resync restarts when the peer collects more tombstones while it runs. */
const MAX_RESYNC_ATTEMPTS = 3;

/**
 * Recovers from `resync_required`:
 *
 * - `collected` (the peer collected tombstones this node had not pulled yet): reads the state of
 *   every key of the peer (in key order: {@link readSnapshot}), then deletes the local facts the peer deleted meanwhile (see
 *   {@link deletedByPeer}). Only when the peer vouched for the cursor's feed (it judged the cursor
 *   against its feed history) from the very feed the snapshot was then read from: else its
 *   database may have been replaced, and it is handled as `replaced`, never by deleting.
 * - `replaced` (the peer lost its database and started a new feed under the same id, or came back
 *   from an older copy): pushes this node's whole feed to it, then reads all its keys the same way.
 *   Nothing is deleted here: the peer forgot, it did not delete.
 *
 * The pull cursor then becomes the peer's feed position from when the read started.
 * The pull cursor is stored only at the very end, so a crash or a failure during a resync leaves
 * the refused cursor in place: the next attempt gets `resync_required` again and starts over.
 */
export async function resyncFromPeer(context: PeerSyncContext, verdict: ResyncVerdict): Promise<void> {
  let current = verdict;
  for (let attempt = 1; ; attempt++) {
    try {
      if (current.reason === 'replaced') {
        context.log(`peer ${context.peer.id} answers from a new database: it gets this node's whole feed`);
        await pushWholeFeed(context);
      }
      await pullWholeFeed(context, current);
      return;
    } catch (error) {
      // Tombstones collected while we paged through the feed: start over from 0.
      if (attempt < MAX_RESYNC_ATTEMPTS && isResyncRequired(error)) {
        const next = resyncVerdict(error);
        // A snapshot read that stopped names no feed; the peer's verdict on the cursor still holds.
        current = { reason: next.reason, feedId: next.feedId ?? current.feedId };
        continue;
      }
      throw error;
    }
  }
}

async function pullWholeFeed(context: PeerSyncContext, verdict: ResyncVerdict): Promise<void> {
  const { db, peer, progress } = context;
  const seen = new Set<string>();
  // Only states held before the read began can be judged by it: a key the snapshot had already
  // passed may reach this node during the read (the peer's push, a third node), absent from it.
  const heldBefore = db.seq();
  // Key order, not the feed: a snapshot needs no cursor, which the peer would refuse (it predates
  // the tombstones it collected); the read restarts if the peer collects more meanwhile.
  const { origin } = await readSnapshot(context, { afterKey: null }, (page) => {
    db.applyChanges(page.checked, peer.id);
    for (const change of page.checked.items) seen.add(change.key);
    progress.pulled += page.checked.items.length;
  });
  const reason = await collectedOrReplaced(context, verdict, origin.feedId);
  if (reason === 'replaced' && verdict.reason === 'collected') {
    // A new database under the peer's id whose GC already passed the cursor: it forgot, it did not
    // delete. Deleting what it lacks would delete this node's facts (and then everyone's); it gets
    // this node's whole feed instead, as for any replaced peer.
    context.log(`peer ${peer.id} answers from a new database (feed ${origin.feedId}): it gets this node's whole feed`);
    await pushWholeFeed(context);
  } else if (reason === 'collected') {
    const victims = deletedByPeer(context, seen, heldBefore);
    for (let start = 0; start < victims.length; start += context.batchSize) {
      db.applyChanges(victims.slice(start, start + context.batchSize).map(asTombstone), peer.id);
    }
    if (victims.length > 0) context.log(`deleted ${victims.length} facts that peer ${peer.id} deleted meanwhile`);
  }
  const end = { changes: [], count: 0, nodeId: peer.id, nextSince: origin.seq, hasMore: false };
  db.applyPulled(peer.id, origin.feedId === null ? end : { ...end, feedId: origin.feedId });
}

/**
 * Whether a `collected` verdict holds for the snapshot read from feed `snapshotFeed` (the peer's
 * feed when the read ended): the peer vouched for the cursor (it sent a feed id, and this node's
 * cursor had one to judge) from that same feed; or it restarted since (every open starts a new
 * feed) and, asked again, still answers `collected` for the cursor on the cursor's feed
 * ({@link judgeCursor}): it runs the same file. A peer that does not vouch (older than feed
 * histories: its feed id changes only with a new database) holds when the snapshot comes from the
 * cursor's own feed, or when either feed is unknown. Anything else is `replaced`: never deleting.
 */
async function collectedOrReplaced(
  context: PeerSyncContext,
  verdict: ResyncVerdict,
  snapshotFeed: string | null,
): Promise<ResyncReason> {
  if (verdict.reason === 'replaced') return 'replaced';
  const { pulledFeedId: stored, lastPulledSeq } = context.db.peerState(context.peer.id);
  if (stored === null || snapshotFeed === null) return 'collected';
  if (verdict.feedId === null) return snapshotFeed === stored ? 'collected' : 'replaced';
  if (verdict.feedId === snapshotFeed) return 'collected';
  // Only a refusal for GC vouches: a copy that accepts the cursor is not the database that refused it.
  return (await judgeCursor(context, lastPulledSeq, stored)) === 'collected' ? 'collected' : 'replaced';
}

/** Pushes every key's state of the local feed, its own included, without touching the push cursor. */
async function pushWholeFeed(context: PeerSyncContext): Promise<void> {
  let since = 0;
  for (;;) {
    const page = context.db.changes(since, context.batchSize);
    await pushChunks(context, page.changes);
    if (!page.hasMore || page.changes.length === 0) return;
    since = page.nextSince;
  }
}

/**
 * The local live states the peer must have deleted: absent from the peer's complete feed (which
 * lists the latest state, tombstones included, of every key it still knows) although the peer
 * provably had them, because the peer wrote that version (`source`) or this node pushed it
 * (`seq <= lastPushedSeq`). The peer only forgets a key it had by collecting its tombstone (or
 * an expired fact), so such a state was overwritten by a deletion (or expired there too).
 *
 * Only states this node held before the snapshot read began (`seq <= heldBefore`) count: the
 * snapshot is read page by page, so a key the peer writes once the read has passed its place is
 * absent from it, and when that write reaches this node during the read (the peer's push, a third
 * node), tombstoning it would delete the peer's new fact on every node.
 *
 * Limits: a state the peer cannot be proven to have had (written by a third node and received
 * here after the last push) is kept and pushed, so a deletion the peer made and collected before
 * this node saw it comes back if no other node still holds the tombstone. Tombstones are only
 * collected once every known peer has pulled them or after the retention horizon (7 days), which
 * keeps that window small.
 */
function deletedByPeer(context: PeerSyncContext, seen: ReadonlySet<string>, heldBefore: number): Change[] {
  const { db, peer, batchSize } = context;
  const { lastPushedSeq } = db.peerState(peer.id);
  const victims: Change[] = [];
  let since = 0;
  for (;;) {
    const page = db.changes(since, batchSize);
    for (const change of page.changes) {
      if (change.seq > heldBefore) return victims;
      if (change.deleted || seen.has(change.key)) continue;
      if (change.source === peer.id || change.seq <= lastPushedSeq) victims.push(change);
    }
    if (!page.hasMore || page.changes.length === 0) return victims;
    since = page.nextSince;
  }
}

/**
 * A tombstone with the same version and source as the state it removes: it beats exactly that
 * state (a tombstone wins a tie) and loses to every newer write, here and on every node it
 * replicates to.
 */
function asTombstone(change: Change): Change {
  return { ...change, value: null, tags: [], expiresAt: null, deleted: true };
}
