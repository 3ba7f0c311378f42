import type { FactQuery } from '../schemas/fact.ts';
import type { Change } from '../schemas/sync.ts';

/** Default time tombstones (and expired facts) are kept for peers that have not seen them: 7 days. */
export const DEFAULT_TOMBSTONE_RETENTION_SECONDS = 7 * 24 * 3600;

/** Options of {@link KnowledgeDB}. */
export interface KnowledgeDBOptions {
  /**
   * SQLite file, created (with its directory) when missing, or `':memory:'`.
   * @example './data/fleet-knowledge.db'
   */
  path: string;
  /**
   * This node's stable id, stored in the file on first open. When absent, the stored id is used,
   * or a new one is generated (host name plus random digits). A different id on reopen throws
   * FleetError('conflict').
   */
  nodeId?: string;
  /** Physical clock, epoch milliseconds: versions, expiry and GC read it. @default Date.now */
  now?: () => number;
  /**
   * How far ahead of the local clock a remote version may be before its batch is rejected
   * with FleetError('clock_skew').
   * @default 60_000
   */
  maxClockSkewMs?: number;
  /**
   * How long a tombstone (or expired fact) is kept for peers that have not seen it yet.
   * @default 604_800 (7 days)
   */
  tombstoneRetentionSeconds?: number;
}

/** A {@link FactQuery} whose `limit` may be left out. */
export type FactQueryInit = Omit<FactQuery, 'limit'> & {
  /** @default 100 */
  limit?: number;
};

/** What {@link KnowledgeDB.gc} removed. */
export interface GcResult {
  tombstonesRemoved: number;
  expiredRemoved: number;
}

/** What {@link KnowledgeDB.stats} counts. */
export interface KnowledgeStats {
  /** Live, unexpired facts. */
  facts: number;
  /** Tombstones kept for peers. */
  tombstones: number;
  /** Expired facts GC has not removed yet. */
  expired: number;
}

/** Called after each committed change: a local write or an applied remote change. */
export type ChangeListener = (change: Change) => void;

/** What this node remembers about syncing with one peer. Times are epoch milliseconds. */
export interface PeerState {
  /** The peer's feed position this node has applied. */
  lastPulledSeq: number;
  /** This node's feed position the peer has acknowledged (via push). */
  lastPushedSeq: number;
  /** Local writes of this node that changes from this peer overwrote. */
  conflictsLost: number;
  lastSuccessAt: number | null;
  lastFailureAt: number | null;
  /** The error of the last failure; cleared by a success. */
  lastError: string | null;
  consecutiveFailures: number;
  /** When the next attempt is due after a failure; null after a success. */
  nextAttemptAt: number | null;
  /** The id of the peer's feed `lastPulledSeq` belongs to (null before the first pull that told it). */
  pulledFeedId: string | null;
  /** Where a first pull, reading the peer's facts in key order, stands; null when none runs. */
  pullSnapshot: PullSnapshot | null;
}

/**
 * Progress of a snapshot pull: the first pull from a peer reads every key's state in key order
 * (inserting in key order keeps this node's indexes append-only), then follows the peer's feed
 * from the position the snapshot started at.
 */
export interface PullSnapshot {
  /** The last key applied; null before the first page. */
  afterKey: string | null;
  /** The peer's feed position when the snapshot started: the feed is followed from there. */
  seq: number;
  /**
   * The largest feed position of the peer a page applied so far was read at, on feed `feedId`
   * (pages carry the state up to their position, which may be later than `seq`): a peer that
   * restarts during the snapshot must still have given it out. Absent in progress stored by an
   * earlier version: `seq` stands in for it.
   */
  seen?: number;
  /** The peer's GC watermark when the snapshot started: if it moves, tombstones may have been missed. */
  watermark: number;
  /** The peer's feed id. */
  feedId: string | null;
}

/** Options of `KnowledgeDB.addPeer()`. */
export interface AddPeerOptions {
  /**
   * When the input has no `token`: keep the token stored for the peer instead of removing it. For
   * peers registered again at every start from configuration that carries no token (`fleet-knowledge
   * server --peer ID=URL`), so a token set since through `POST /peers` survives a restart. A `token`
   * in the input replaces the stored one either way.
   * @default false (no token removes the stored one, as `POST /peers` documents)
   * @example db.addPeer({ id: 'ezra', url: 'http://ezra:8651' }, { keepStoredToken: true })
   */
  keepStoredToken?: boolean;
}

/** Options of `KnowledgeDB.changes()`. */
export interface ChangesOptions {
  /** Leave out the changes this node wrote (what a push to that node skips: it has them). */
  exceptSource?: string;
}
