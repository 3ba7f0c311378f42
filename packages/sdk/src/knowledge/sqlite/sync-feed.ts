import type { EncodedJson } from '../../contract/encoded-json.ts';
import { invalidField } from '../../internal/invalid-field.ts';
import type { ChangePage, SyncPullInput, SyncStatus } from '../../schemas/sync.ts';
import type { ChangesOptions } from '../knowledge-db-options.ts';
import type { FeedHistory } from './feed-history.ts';
import { FeedReader, type FeedSource } from './feed-reader.ts';
import type { NodeRegistry } from './nodes.ts';
import type { PeerBook } from './peer-book.ts';
import type { Statements } from './statements.ts';
import { peerSyncStatuses } from './sync-status.ts';

/**
 * This node's changes feed as its peers sync with it (see `KnowledgeDB` for each operation): feed
 * and snapshot pages, the pull cursor check, the answers to pulls (which record how far each
 * puller has come) and the sync status (how far each peer lags behind the feed).
 */
export class SyncFeed {
  readonly #sql: Statements;
  readonly #reader: FeedReader;
  readonly #source: FeedSource;
  readonly #peers: PeerBook;
  readonly #now: () => number;

  constructor(
    sql: Statements,
    nodes: NodeRegistry,
    source: FeedSource,
    peers: PeerBook,
    feeds: FeedHistory,
    now: () => number,
  ) {
    this.#sql = sql;
    this.#reader = new FeedReader(sql, nodes, source, feeds);
    this.#source = source;
    this.#peers = peers;
    this.#now = now;
  }

  /** The feed after `since`, at most `limit` entries. */
  changes(since: number, limit: number, options: ChangesOptions): ChangePage {
    return this.#reader.changes(since, limit, options).toPage();
  }

  /**
   * Answers a peer's pull: a snapshot pull (`afterKey`, from `since` 0) gets the snapshot page
   * after that key; any other has its cursor (`since` of feed `feedId`) checked and gets the feed
   * page after `since`, which names this open's feed: the cursor goes on there. The
   * puller is recorded as having everything up to what it committed, for tombstone GC.
   */
  servePull(input: SyncPullInput): EncodedJson<ChangePage> {
    if (input.afterKey !== undefined) {
      if (input.since !== 0) throw invalidField('afterKey', 'a snapshot pull (afterKey) needs since 0');
      this.#peers.recordPulledBy(input.nodeId, 0, this.#now());
      return this.#reader.snapshotPage(input.afterKey, input.limit).encode();
    }
    this.checkPullCursor(input.since, input.feedId);
    this.#peers.recordPulledBy(input.nodeId, Math.min(input.acknowledged ?? input.since, input.since), this.#now());
    return this.#reader.changes(input.since, input.limit, {}).encode();
  }

  /** One page of a snapshot, in key order after `afterKey`. */
  snapshotPage(afterKey: string | null, limit: number): ChangePage {
    return this.#reader.snapshotPage(afterKey, limit).toPage();
  }

  /** Throws FleetError('resync_required') when a pull from `since` (of feed `feedId`) could miss changes. */
  checkPullCursor(since: number, feedId?: string): void {
    this.#reader.checkPullCursor(since, feedId);
  }

  /** The sync state of every registered peer plus the ids in `peerUrls` ({@link peerSyncStatuses}). */
  status(peerUrls: Readonly<Record<string, string>>): SyncStatus {
    const peers = peerSyncStatuses(this.#sql, this.#peers, peerUrls, this.#now());
    return {
      peers,
      count: peers.length,
      nodeId: this.#source.nodeId,
      seq: this.#source.seq(),
      conflictsLost: this.#peers.totalConflicts(),
    };
  }
}
