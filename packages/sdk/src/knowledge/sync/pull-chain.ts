import type { SyncPullInputInit } from '../knowledge-client.ts';
import type { PageFields } from './pulled-page.ts';

/** What a worker thread needs to make the client the sync engine would make for a peer. */
export interface PullTarget {
  url: string;
  token?: string;
  timeoutMs: number;
}

/** Whether two pulls ask for the same page (`acknowledged` aside: it only tells the peer what it may collect). */
export function samePull(a: SyncPullInputInit, b: SyncPullInputInit): boolean {
  return a.nodeId === b.nodeId && a.since === b.since && a.limit === b.limit && a.afterKey === b.afterKey;
}

/**
 * The pull the sync engine sends after receiving the page `input` asked for, when there is one:
 * the next snapshot page (after `nextKey`), or the next feed page (after `nextSince`). It
 * acknowledges only what `input` acknowledged: asked ahead, before that page is written, it must
 * not tell the peer more than what is committed (the peer would collect tombstones too early).
 */
export function nextPullInput(input: SyncPullInputInit, page: PageFields): SyncPullInputInit | undefined {
  if (!page.hasMore) return undefined;
  const { nodeId, limit } = input;
  const base = limit === undefined ? { nodeId } : { nodeId, limit };
  if (input.afterKey !== undefined) {
    const nextKey = page.nextKey;
    if (typeof nextKey !== 'string' || (input.afterKey !== null && nextKey <= input.afterKey)) return undefined;
    return { ...base, since: 0, afterKey: nextKey };
  }
  if (page.nextSince <= input.since) return undefined;
  return { ...base, since: page.nextSince, acknowledged: input.acknowledged ?? input.since };
}
