import { isFleetError } from '../../errors.ts';
import type { SyncPullInputInit } from '../knowledge-client.ts';
import type { PeerSyncContext } from './peer-sync-context.ts';
import type { PulledPage } from './pulled-page.ts';

/** True for the peer's answer that our cursor predates tombstones it has collected (HTTP 410). */
export function isResyncRequired(error: unknown): boolean {
  return isFleetError(error) && error.code === 'resync_required';
}

/**
 * Why the peer refused our cursor: it `collected` tombstones past it, or its feed was `replaced`
 * (our cursor is beyond its feed: it lost its database and started over under the same id).
 */
export type ResyncReason = 'collected' | 'replaced';

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

/**
 * One page (`pullPageSize` changes at most) of the peer's feed after `since`, pulled as this node;
 * `acknowledged` is the cursor this node has committed when it is behind `since`.
 */
export function pullPage(context: PeerSyncContext, since: number, acknowledged?: number): Promise<PulledPage> {
  const { db, pullPageSize } = context;
  const input = { nodeId: db.nodeId, since, limit: pullPageSize };
  return requestPulledPage(context, acknowledged === undefined ? input : { ...input, acknowledged });
}

/**
 * Sends one pull with the context's puller (from a worker thread, with the default clients) and
 * decodes the answer: validated with the `ChangePage` schema and checked for the store.
 */
export function requestPulledPage(context: PeerSyncContext, input: SyncPullInputInit): Promise<PulledPage> {
  return context.puller.pull(input, context.signal);
}
