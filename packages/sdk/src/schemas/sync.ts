import { z } from 'zod';
import { intFromQuery, JsonValue, Timestamp } from './common.ts';
import { Hlc, NodeId, StoredFactKey, Tag } from './fact.ts';
import { described, NonNegativeInt, NonNegativeNumber } from './fields.ts';
import { lazyShape } from './lazy-shape.ts';
import { listFields, listOf } from './list.ts';
import { wellFormed } from './well-formed.ts';

/** Most changes one pull or push may carry. */
export const MAX_CHANGE_BATCH = 5000;

/**
 * One entry of a node's changes feed: the latest state of a key (a fact, or a tombstone when
 * `deleted`), with the local sequence number that orders the feed.
 */
export const Change = z.object(
  lazyShape(() => ({
    seq: described(z.int().positive(), "Position in the sending node's changes feed"),
    key: StoredFactKey,
    value: JsonValue.describe('The value; null for a tombstone'),
    tags: described(z.array(Tag), 'Its tags, sorted; empty for a tombstone'),
    source: NodeId.describe('The node that wrote this version'),
    version: Hlc.describe('Hybrid logical clock version of the write; the greater (version, source) wins'),
    updatedAt: Timestamp.describe('When it was written: the physical time of `version`'),
    expiresAt: described(Timestamp.nullable(), 'When the fact expires; null: never, and for a tombstone'),
    deleted: described(z.boolean(), 'True for a tombstone: the key was deleted'),
  })),
);
export type Change = z.infer<typeof Change>;

/** The id of one feed of a node (one per open of its database file). */
const FeedId = z.string().check(z.minLength(1), z.maxLength(64), wellFormed);

/** `GET /changes`. */
export const ChangesQuery = z.strictObject(
  lazyShape(() => ({
    since: intFromQuery({
      min: 0,
      default: 0,
      description:
        "Return changes with `seq` greater than this: 0 for the whole feed, then the previous page's `nextSince`",
    }),
    limit: intFromQuery({ min: 1, max: MAX_CHANGE_BATCH, default: 500, description: 'Most changes per page' }),
  })),
);
export type ChangesQuery = z.infer<typeof ChangesQuery>;

/** A page of the changes feed. Pass `nextSince` back as `since` while `hasMore`. */
export const ChangePage = z.object(
  lazyShape(() => ({
    ...listFields(
      'changes',
      Change,
      'The latest state of each key written after `since`, in feed order (snapshot pages: in key order)',
    ),
    nodeId: NodeId.describe('The node whose feed this is'),
    feedId: described(
      FeedId.optional(),
      'Id of the feed `nextSince` belongs to (one per start of the node): pass it back as `feedId` with `since`',
    ),
    nextSince: NonNegativeInt.describe(
      'Pass it back as `since` for the next page (snapshot pages: the feed position to follow from once the snapshot is done)',
    ),
    hasMore: described(z.boolean(), 'True when more changes follow: ask again with `nextSince` at once'),
    nextKey: described(
      StoredFactKey.nullable().optional(),
      'Snapshot pages only: pass it back as afterKey for the next page (null when there is none)',
    ),
    gcWatermark: described(
      NonNegativeInt.optional(),
      'Snapshot pages only: the highest feed position GC has removed a row at',
    ),
  })),
);
export type ChangePage = z.infer<typeof ChangePage>;

/** `POST /sync/pull`: a peer pulls this node's changes. */
export const SyncPullInput = z.strictObject(
  lazyShape(() => ({
    nodeId: NodeId.describe('The pulling node, so this node can track what it has seen'),
    since: NonNegativeInt.describe("The puller's cursor: changes with `seq` greater than this (0: the whole feed)"),
    feedId: described(
      FeedId.optional(),
      'The feed `since` was given out from (the `feedId` of the page it came from): a cursor this node did not give out, from a feed it never had or past where that feed ended (its database was replaced or restored from an older copy), answers 410 resync_required; without it only the position is checked',
    ),
    limit: described(z.int().check(z.gte(1), z.lte(MAX_CHANGE_BATCH)).default(500), 'Most changes in the page'),
    acknowledged: described(
      NonNegativeInt.optional(),
      'The cursor the puller has committed, when it asks for a page ahead of it (default: since); this node keeps the tombstones after it',
    ),
    afterKey: described(
      StoredFactKey.nullable().optional(),
      'Snapshot mode, with since 0: every key (live or tombstone) in key order after this key (null: from the first); nextSince is then the feed position to continue from',
    ),
  })),
);
export type SyncPullInput = z.infer<typeof SyncPullInput>;

/** `POST /sync/push`: a peer pushes changes to this node. */
export const SyncPushInput = z.strictObject(
  lazyShape(() => ({
    nodeId: NodeId.describe('The pushing node'),
    changes: described(
      z.array(Change).max(MAX_CHANGE_BATCH),
      "Entries of the pusher's changes feed, as `GET /changes` returns them; applied in one transaction",
    ),
  })),
);
export type SyncPushInput = z.infer<typeof SyncPushInput>;

/** What applying a batch of remote changes did. */
export const ApplyResult = z.object(
  lazyShape(() => ({
    nodeId: NodeId.describe('The node that applied them'),
    applied: NonNegativeInt.describe('Changes that won and were stored'),
    ignored: NonNegativeInt.describe('Changes older than (or equal to) what was already stored'),
    conflictsLost: NonNegativeInt.describe('Local writes of this node that the batch overwrote'),
  })),
);
export type ApplyResult = z.infer<typeof ApplyResult>;

/** Sync state of one peer, as seen from this node. */
export const PeerSyncStatus = z.object(
  lazyShape(() => ({
    peer: NodeId.describe("The peer's node id"),
    url: described(z.string(), "The peer's base URL"),
    lastPulledSeq: NonNegativeInt.describe("The peer's feed position this node has applied"),
    lastPushedSeq: NonNegativeInt.describe("This node's feed position the peer has acknowledged"),
    lastSuccessAt: described(Timestamp.nullable(), 'When a sync attempt with it last succeeded; null: never'),
    lastFailureAt: described(Timestamp.nullable(), 'When a sync attempt with it last failed; null: never'),
    lastError: described(z.string().nullable(), 'Why the last attempt failed; null after a success'),
    consecutiveFailures: NonNegativeInt.describe('Failed attempts since the last success'),
    nextAttemptAt: described(
      Timestamp.nullable(),
      'After a failure, when it is tried again (exponential backoff); null while syncing normally',
    ),
    lagFacts: described(NonNegativeInt.nullable(), 'Local changes the peer has not acknowledged yet'),
    lagSeconds: described(
      NonNegativeNumber.nullable(),
      'How long the peer has been behind, in seconds; 0 when it has every local change. Otherwise the time since it was last in step (the later of the last successful sync with it and its last pull from this node; when it was added if neither happened), and at least the age of the oldest local change it has not acknowledged',
    ),
    conflictsLost: NonNegativeInt.describe("Local writes overwritten by this peer's changes"),
  })),
);
export type PeerSyncStatus = z.infer<typeof PeerSyncStatus>;

/** `GET /sync/status`. */
export const SyncStatus = z.object(
  lazyShape(() => ({
    ...listFields('peers', PeerSyncStatus, 'Every registered peer, by id'),
    nodeId: NodeId.describe("This node's id"),
    seq: NonNegativeInt.describe("This node's latest feed position"),
    conflictsLost: NonNegativeInt.describe("Local writes overwritten by peers' changes, all peers together"),
  })),
);
export type SyncStatus = z.infer<typeof SyncStatus>;

/** The outcome of syncing with one peer. */
export const PeerSyncResult = z.object(
  lazyShape(() => ({
    peer: NodeId.describe("The peer's node id"),
    ok: described(z.boolean(), 'True when both the pull and the push succeeded'),
    pulled: NonNegativeInt.describe('Changes pulled from the peer (counted even when the attempt failed later)'),
    pushed: NonNegativeInt.describe('Changes pushed to the peer'),
    error: described(z.string().nullable(), 'Why the attempt failed; null when `ok`'),
  })),
);
export type PeerSyncResult = z.infer<typeof PeerSyncResult>;

/** `POST /sync/run`. */
export const SyncRunResult = listOf('results', PeerSyncResult, 'One result per registered peer');
export type SyncRunResult = z.infer<typeof SyncRunResult>;
