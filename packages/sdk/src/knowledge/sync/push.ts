import type { Change } from '../../schemas/sync.ts';
import type { PeerSyncContext } from './peer-sync-context.ts';

/** Splits `changes` (in feed order) into runs whose JSON stays under `maxBytes` (a bigger change goes alone). */
export function chunkBySize(changes: readonly Change[], maxBytes: number): Change[][] {
  const chunks: Change[][] = [];
  let chunk: Change[] = [];
  let bytes = 0;
  for (const change of changes) {
    const size = Buffer.byteLength(JSON.stringify(change)) + 1;
    if (chunk.length > 0 && bytes + size > maxBytes) {
      chunks.push(chunk);
      chunk = [];
      bytes = 0;
    }
    chunk.push(change);
    bytes += size;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

/**
 * Pushes `changes` in requests that fit `maxPushBytes`; `onAcknowledged` runs after each with the
 * last change the peer applied.
 */
export async function pushChunks(
  context: PeerSyncContext,
  changes: readonly Change[],
  onAcknowledged?: (last: Change) => void,
): Promise<void> {
  const { db, client, maxPushBytes, signal, progress } = context;
  for (const chunk of chunkBySize(changes, maxPushBytes)) {
    await client.push({ nodeId: db.nodeId, changes: chunk }, { signal });
    progress.pushed += chunk.length;
    const last = chunk[chunk.length - 1];
    if (last) onAcknowledged?.(last);
  }
}

/**
 * Pushes the local changes the peer has not acknowledged, one feed page (`batchSize`) at a time,
 * each page split into requests that fit `maxPushBytes`. The push cursor advances after every
 * acknowledged request, so a failure re-sends at most the request that was in flight.
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
