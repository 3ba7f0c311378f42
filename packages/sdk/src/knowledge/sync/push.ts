import { isFleetHttpError } from '../../client/errors.ts';
import { FleetError } from '../../errors.ts';
import type { Change } from '../../schemas/sync.ts';
import type { PeerSyncContext } from './peer-sync-context.ts';

/** A change's share of a push request body: its JSON and the comma after it. */
function pushedBytes(change: Change): number {
  return Buffer.byteLength(JSON.stringify(change)) + 1;
}

/** Whether the peer (or a proxy before it) refused the request body as too large. */
function isTooLarge(error: unknown): boolean {
  return isFleetHttpError(error) && error.status === 413;
}

/** The failure of a push that cannot be cut any smaller: one change alone is over the peer's limit. */
function changeTooLarge(context: PeerSyncContext, change: Change, bytes: number, cause: unknown): FleetError {
  const { peer } = context;
  return new FleetError(
    'payload_too_large',
    `peer ${peer.id} refuses a push of change "${change.key}" alone (${bytes} bytes as JSON) as too large: raise that peer's body limit (fleet-knowledge server --body-limit)`,
    { cause, details: { peer: peer.id, key: change.key, bytes } },
  );
}

/**
 * Pushes `changes` in requests of at most the peer's push budget (`maxPushBytes` until the peer
 * refuses one as too large); `onAcknowledged` runs after each with the last change the peer applied.
 *
 * A request the peer answers 413 is cut in half and sent again at once, and the peer's budget stays
 * halved (see `PushBudgets`: the full size is tried again every 10 minutes), so a peer whose body
 * limit is below `maxPushBytes` is found out in a few requests instead of failing every round. A single change the peer refuses as too large fails
 * the push with `payload_too_large` naming the peer and the key.
 */
export async function pushChunks(
  context: PeerSyncContext,
  changes: readonly Change[],
  onAcknowledged?: (last: Change) => void,
): Promise<void> {
  const { db, peer, client, pushBudgets, now, signal, progress } = context;
  const sizes = changes.map(pushedBytes);
  let start = 0;
  while (start < changes.length) {
    const budget = pushBudgets.of(peer.id, now());
    let end = start + 1;
    let bytes = sizes[start]!;
    while (end < changes.length && bytes + sizes[end]! <= budget) bytes += sizes[end++]!;
    const chunk = changes.slice(start, end);
    try {
      await client.push({ nodeId: db.nodeId, changes: chunk }, { signal });
    } catch (error) {
      if (!isTooLarge(error)) throw error;
      if (chunk.length === 1) throw changeTooLarge(context, chunk[0]!, bytes, error);
      const smaller = pushBudgets.refused(peer.id, bytes, now());
      context.log(`peer ${peer.id} refused a push of ${bytes} bytes as too large; pushing at most ${smaller} to it`);
      continue;
    }
    pushBudgets.accepted(peer.id, bytes, now());
    progress.pushed += chunk.length;
    onAcknowledged?.(chunk[chunk.length - 1]!);
    start = end;
  }
}

/**
 * Pushes the local changes the peer has not acknowledged, one feed page (`batchSize`) at a time,
 * each page split into requests that fit the peer's push budget. The push cursor advances after
 * every acknowledged request, so a failure re-sends at most the request that was in flight.
 *
 * Changes written by the peer itself are skipped (their cursor still advances): the peer holds
 * that version or a newer one already, and echoing what was just pulled from it would double the
 * traffic of every sync. (A peer that lost its database gets them back through a resync.)
 */
export async function pushToPeer(context: PeerSyncContext): Promise<void> {
  const { db, peer, batchSize } = context;
  for (;;) {
    const since = db.peerState(peer.id).lastPushedSeq;
    const page = db.changes(since, batchSize, { exceptSource: peer.id });
    await pushChunks(context, page.changes, (last) => db.recordPushed(peer.id, last.seq));
    if (page.nextSince > since) db.recordPushed(peer.id, page.nextSince);
    if (!page.hasMore) return;
  }
}
