import { FleetError } from '../../errors.ts';
import { compareKeys } from '../internal/key-order.ts';
import type { PeerSyncContext } from './peer-sync-context.ts';
import { judgeCursor, requestPulledPage } from './pull-page.ts';
import type { PageFields, PulledPage } from './pulled-page.ts';

/** Where a snapshot read started: the peer's feed position, GC watermark and feed id at its first page. */
export interface SnapshotOrigin {
  /** The peer's feed position: every change after it is in the feed after it. */
  seq: number;
  /**
   * The largest feed position of the peer a page of the read was read at (its `nextSince`), on
   * feed `feedId`: a page carries the state up to there, which may be later than `seq`. A peer
   * that restarts during the read must still have given it out, or the read holds changes the
   * peer lost.
   */
  seen: number;
  /** The peer's GC watermark: if it moves during the read, tombstones may have been missed. */
  watermark: number;
  /**
   * The peer's feed id: the first page's, then the one the peer restarted on when it still accepted
   * `seq` of the feed before (every open starts a new feed).
   */
  feedId: string | null;
}

/** Called with each page, in key order, before the next one is awaited. */
export type ApplySnapshotPage = (page: PulledPage, nextKey: string | null, origin: SnapshotOrigin) => void;

/**
 * Reads the state of every key of the peer in key order after `afterKey` (`POST /sync/pull` with
 * `afterKey`), requesting each page before the previous one is applied, so the peer reads and
 * sends while this node writes. A snapshot needs no feed cursor, so tombstones the peer collects
 * meanwhile cannot be detected by one: instead, a GC watermark that differs from `origin` (given
 * when resuming, else taken from the first page) throws `resync_required` with `details.reason`
 * `collected`. A feed id that differs means the peer restarted or its database was replaced: the
 * peer is asked whether the furthest position read so far still holds ({@link sameDatabase}); the read goes on, on the new
 * feed, when it does, and throws `replaced` when it does not. Resolves with the origin and whether
 * the peer's feed moved past `origin.seq` while it ran.
 */
export async function readSnapshot(
  context: PeerSyncContext,
  start: { afterKey: string | null; origin?: SnapshotOrigin | undefined },
  apply: ApplySnapshotPage,
): Promise<{ origin: SnapshotOrigin; feedMoved: boolean }> {
  const { peer } = context;
  let origin = start.origin;
  let afterKey = start.afterKey;
  let next: Promise<PulledPage> | undefined = requestPage(context, afterKey);
  let feedMoved = true;
  while (next) {
    const page: PulledPage = await next;
    checkSnapshotPage(context, page, afterKey);
    origin ??= {
      seq: page.nextSince,
      seen: page.nextSince,
      watermark: page.gcWatermark ?? 0,
      feedId: page.feedId ?? null,
    };
    if ((page.feedId ?? null) !== origin.feedId) origin = await sameDatabase(context, origin, page.feedId ?? null);
    origin = { ...origin, seen: Math.max(origin.seen, page.nextSince) };
    if ((page.gcWatermark ?? 0) !== origin.watermark) throw changedUnderneath(context, 'collected');
    const nextKey = page.hasMore ? (page.nextKey ?? null) : null;
    next = nextKey === null ? undefined : requestPage(context, nextKey);
    // Let the request go out before the synchronous apply holds the event loop.
    if (next) await new Promise((resolve) => setImmediate(resolve));
    apply(page, nextKey, origin);
    afterKey = nextKey;
    feedMoved = page.nextSince !== origin.seq;
  }
  if (!origin) throw new FleetError('internal', `peer ${peer.id} sent no snapshot page`);
  return { origin, feedMoved };
}

/**
 * The origin, now on feed `feedId`, when the peer's feed changed during the read because it
 * restarted (every open of a file starts a new feed): the peer still accepts the largest position
 * the read has seen on the origin's feed (`origin.seen`, no earlier than `origin.seq`:
 * {@link judgeCursor}), so it runs the same file and still has every change the pages read so
 * far hold, and the read goes on. Throws `resync_required` `replaced` when it does not (its
 * database was replaced or came back from an older copy, taken before or during the read), and
 * `collected` when its GC has passed that position meanwhile.
 */
async function sameDatabase(
  context: PeerSyncContext,
  origin: SnapshotOrigin,
  feedId: string | null,
): Promise<SnapshotOrigin> {
  if (origin.feedId === null || feedId === null) throw changedUnderneath(context, 'replaced');
  const standing = await judgeCursor(context, origin.seen, origin.feedId);
  if (standing !== 'valid') throw changedUnderneath(context, standing);
  context.log(`peer ${context.peer.id} restarted (feed ${feedId}) while this node read its facts; reading on`);
  return { ...origin, feedId };
}

function requestPage(context: PeerSyncContext, afterKey: string | null): Promise<PulledPage> {
  const { db, pullPageSize } = context;
  const request = requestPulledPage(context, { nodeId: db.nodeId, since: 0, limit: pullPageSize, afterKey });
  // A failed apply abandons a request made ahead: its rejection must not go unhandled.
  request.catch(() => undefined);
  return request;
}

function checkSnapshotPage(context: PeerSyncContext, page: PageFields, afterKey: string | null): void {
  const { peer } = context;
  if (page.nodeId !== peer.id) {
    throw new FleetError(
      'conflict',
      `peer ${peer.id} at ${peer.url} answered as node ${page.nodeId}; not syncing with it`,
      {
        details: { field: 'nodeId', expected: peer.id, actual: page.nodeId },
      },
    );
  }
  const nextKey = page.nextKey;
  // In the peer's (SQLite's) key order, not JavaScript's: they disagree on some non-ASCII keys.
  if (page.hasMore && (typeof nextKey !== 'string' || (afterKey !== null && compareKeys(nextKey, afterKey) <= 0))) {
    throw new FleetError('internal', `peer ${peer.id} claims more facts after ${afterKey} but did not advance`);
  }
}

function changedUnderneath(context: PeerSyncContext, reason: 'collected' | 'replaced'): FleetError {
  const what = reason === 'collected' ? 'collected tombstones' : 'replaced its database';
  return new FleetError('resync_required', `peer ${context.peer.id} ${what} while this node read its facts`, {
    details: { reason },
  });
}
