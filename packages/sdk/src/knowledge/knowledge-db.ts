import type Database from 'better-sqlite3';
import type { EncodedJson } from '../contract/encoded-json.ts';
import { Listeners } from '../internal/listeners.ts';
import type { FileLock } from '../internal/sqlite-file-lock.ts';
import type { DeleteFactResult, Fact, FactInput, FactPage } from '../schemas/fact.ts';
import type { Page } from '../schemas/list.ts';
import type { Peer, PeerInput } from '../schemas/peer.ts';
import type { ApplyResult, Change, ChangePage, SyncPullInput, SyncStatus } from '../schemas/sync.ts';
import type { CheckedChanges } from './internal/checked-changes.ts';
import { checkFactInput } from './internal/fact-checks.ts';
import type {
  AddPeerOptions,
  ChangeListener,
  ChangesOptions,
  FactQueryInit,
  GcResult,
  KnowledgeDBOptions,
  KnowledgeStats,
  PeerState,
  PullSnapshot,
} from './knowledge-db-options.ts';
import type { FactReader } from './sqlite/fact-reader.ts';
import { closeKnowledge, openKnowledge } from './sqlite/knowledge-file.ts';
import type { PeerBook, SyncOutcome } from './sqlite/peer-book.ts';
import type { SyncFeed } from './sqlite/sync-feed.ts';
import type { WritePath } from './sqlite/write-path.ts';
import type { PulledPage } from './sync/pulled-page.ts';

export type {
  AddPeerOptions,
  ChangeListener,
  ChangesOptions,
  FactQueryInit,
  GcResult,
  KnowledgeDBOptions,
  KnowledgeStats,
  PeerState,
  PullSnapshot,
} from './knowledge-db-options.ts';
export { DEFAULT_TOMBSTONE_RETENTION_SECONDS } from './knowledge-db-options.ts';
export type { SyncOutcome } from './sqlite/peer-book.ts';

/**
 * The fact store of one knowledge node, in one SQLite file (better-sqlite3). Every write gets a
 * hybrid logical clock version; remote changes merge last-writer-wins on (version, source), so
 * every node converges on the same state whatever order changes arrive in. A local, compacted
 * changes feed (one entry per key, by a monotonic seq) drives sync. Synchronous; one instance per
 * file (it keeps the feed position and the clock in memory): opening a file that another instance
 * (of this process or another) holds open throws FleetError('conflict'), naming the file.
 *
 * @example
 * const db = new KnowledgeDB({ path: './data/knowledge.db' });
 * db.put(FactInput.parse({ key: 'hosts/ezra/gpu', value: { model: 'A100' }, tags: ['hardware'] }));
 * db.query({ prefix: 'hosts/', limit: 50 }).items;
 */
export class KnowledgeDB {
  /** This node's stable id: the `source` of its writes. */
  readonly nodeId: string;
  /**
   * The id of the changes feed this open of the file gives out: every open starts a new one, and
   * the file remembers the earlier ones with where each ended. A peer's pull names the feed of its
   * cursor, which is good only on a feed of this file and no further than where that feed ended
   * ({@link checkPullCursor}): a copy restored from a backup, or one whose last commits a power
   * loss took, refuses the cursors it never gave out instead of skipping their changes.
   */
  readonly feedId: string;
  readonly #db: Database.Database;
  readonly #lock: FileLock;
  readonly #peers: PeerBook;
  readonly #reads: FactReader;
  readonly #writes: WritePath;
  readonly #feed: SyncFeed;
  readonly #now: () => number;
  readonly #listeners = new Listeners<Change>();

  constructor(options: KnowledgeDBOptions) {
    const opened = openKnowledge(options, this.#listeners);
    this.#db = opened.db;
    this.#lock = opened.lock;
    this.#peers = opened.peers;
    this.#reads = opened.reads;
    this.#feed = opened.feed;
    this.#writes = opened.writes;
    this.nodeId = opened.nodeId;
    this.feedId = opened.feedId;
    this.#now = opened.now;
  }

  /** Puts one fact (schema-parsed input): a new version written by this node. */
  put(input: FactInput): Fact {
    return this.#writes.put([checkFactInput(input)])[0]!;
  }

  /** Puts up to 1,000 facts in one transaction: all are stored, or (on any invalid item) none. */
  putBatch(inputs: readonly FactInput[]): Fact[] {
    return this.#writes.put(inputs.map((input, index) => checkFactInput(input, `facts.${index}.`)));
  }

  /** The live fact under `key`; undefined when absent, deleted or expired. */
  get(key: string): Fact | undefined {
    return this.#reads.get(key);
  }

  /**
   * Deletes the fact under `key` by writing a tombstone with a new version, which replicates and
   * beats older puts. When there is no live fact (absent, deleted or expired) nothing is written.
   */
  delete(key: string): DeleteFactResult {
    return this.#writes.delete(key);
  }

  /**
   * Live, unexpired facts matching every given filter (key prefix, tag, FTS5 full text over key
   * and value, `updatedAt >= updatedSince`), ordered by key, one page: at most `limit` (default 100)
   * facts, and fewer once their values reach 4 MiB (at least one fact); `nextCursor` continues after
   * the last fact returned.
   * Throws `validation_failed` (field `q`) for bad full-text syntax, a full-text query beyond the
   * limits (a `NEAR` group, a prefix term shorter than 3 characters, more than 2 prefix terms or 12
   * terms) or one matching more than 10,000 facts; (field `cursor`) for a bad cursor.
   */
  query(query: FactQueryInit = {}): Page<Fact> {
    return this.#reads.query(query);
  }

  /**
   * Answers `GET /facts`: the page {@link query} returns, as the route's JSON (`facts`, `count`,
   * `nextCursor`), encoded straight from the stored JSON text without decoding any value.
   */
  serveQuery(query: FactQueryInit = {}): EncodedJson<FactPage> {
    return this.#reads.serveQuery(query);
  }

  /**
   * This node's changes feed after `since`: the latest state of each key written (tombstones and
   * expired facts included), in seq order, at most `limit`. With `exceptSource`, changes written
   * by that node are left out (SQLite skips them without reading them into JavaScript) and, when
   * nothing more is left, `nextSince` moves past the skipped ones to the end of the feed.
   */
  changes(since: number, limit: number, options: ChangesOptions = {}): ChangePage {
    return this.#feed.changes(since, limit, options);
  }

  /**
   * Answers a peer's pull: checks its cursor ({@link checkPullCursor}), records how far it has
   * committed (`acknowledged`, else `since`) for tombstone GC, and returns the page after `since`
   * (or the snapshot page after `afterKey`), encoded straight from the stored JSON text.
   */
  servePull(input: SyncPullInput): EncodedJson<ChangePage> {
    return this.#feed.servePull(input);
  }

  /**
   * One page of a snapshot: the state of every key (tombstones and expired facts included) in key
   * order after `afterKey` (null: from the first key), with `nextKey` to continue from, this
   * node's current feed position as `nextSince` and its `gcWatermark`.
   */
  snapshotPage(afterKey: string | null, limit: number): ChangePage {
    return this.#feed.snapshotPage(afterKey, limit);
  }

  /** The latest position of this node's changes feed (0 before any write). */
  seq(): number {
    return this.#writes.seq();
  }

  /**
   * Merges remote changes (from `fromNodeId`, a peer): each wins when its (version, source) is
   * greater than the stored state's, else it is ignored, so applying is idempotent and
   * order-independent. All in one transaction. When any version is more than `maxClockSkewMs`
   * ahead of this node's clock the whole batch is rejected with FleetError('clock_skew'). Changes
   * checked already (`CheckedChanges`, from `decodePulledPage`) are not checked again.
   */
  applyChanges(changes: readonly Change[] | CheckedChanges, fromNodeId: string): ApplyResult {
    return this.#writes.applyChanges(changes, fromNodeId);
  }

  /**
   * Applies a page pulled from peer `peerId` and stores `page.nextSince` as the pull checkpoint in
   * the same transaction: a crash loses neither. The page may come checked already (a
   * `PulledPage`, from `decodePulledPage`).
   */
  applyPulled(peerId: string, page: ChangePage | PulledPage): ApplyResult {
    return this.#writes.applyPulled(peerId, page);
  }

  /**
   * Applies a snapshot page pulled from `peerId` and, in the same transaction, stores `progress`
   * (where the snapshot stands), or, when `done`, ends it: the pull cursor becomes `progress.seq`
   * (with its feed id) and the progress is cleared.
   */
  applySnapshotPage(peerId: string, page: ChangePage | PulledPage, progress: PullSnapshot, done: boolean): ApplyResult {
    return this.#writes.applySnapshotPage(peerId, page, progress, done);
  }

  /** Forgets a snapshot pull from `peerId` that a full resync replaced. */
  endPullSnapshot(peerId: string): void {
    this.#peers.setPullSnapshot(peerId, null);
  }

  /** Peer `peerId` acknowledged a push of this node's feed up to `seq`. */
  recordPushed(peerId: string, seq: number): void {
    this.#peers.recordPushed(peerId, seq);
  }

  /** Node `nodeId` pulled this node's feed with cursor `since`: it has everything up to there. */
  recordPulledBy(nodeId: string, since: number): void {
    this.#peers.recordPulledBy(nodeId, since, this.#now());
  }

  /**
   * Throws FleetError('resync_required') when a pull from `since`, a position of feed `feedId`,
   * could miss changes: `details.reason` is `replaced` when this file never gave that cursor out
   * (`feedId` is no feed of this file, or `since` is past where that feed ended here, or without a
   * `feedId`, past the end of the feed), `collected` when GC has removed tombstones after `since`
   * (0 < since < {@link gcWatermark}). `since = 0` (a full pull) is always fine.
   */
  checkPullCursor(since: number, feedId?: string): void {
    this.#feed.checkPullCursor(since, feedId);
  }

  /** Counts of the stored rows (for metrics): live facts, tombstones, expired facts not yet collected. */
  stats(): KnowledgeStats {
    return this.#reads.stats();
  }

  /** The highest feed position GC has removed a row at (0 when GC has removed nothing). */
  gcWatermark(): number {
    return this.#writes.gcWatermark();
  }

  /** What this node remembers about syncing with `peerId` (zeros when nothing). */
  peerState(peerId: string): PeerState {
    return this.#peers.state(peerId);
  }

  /** Records the outcome of a sync attempt: a success resets the failure count and clears `lastError`. */
  recordSyncOutcome(peerId: string, outcome: SyncOutcome): void {
    this.#peers.recordOutcome(peerId, outcome, this.#now());
  }

  /**
   * Sync state of every registered peer, plus the ids in `peerUrls` (id to url, which also
   * overrides a stored url). Lag counts this node's feed entries the peer has not seen (neither
   * acknowledged via push nor pulled).
   */
  syncStatus(peerUrls: Readonly<Record<string, string>> = {}): SyncStatus {
    return this.#feed.status(peerUrls);
  }

  /**
   * Registers or updates a peer: its url is replaced, and so is its token (no token removes it,
   * unless `options.keepStoredToken`, which keeps the stored one). `createdAt` stays.
   */
  addPeer(input: PeerInput, options: AddPeerOptions = {}): Peer {
    return this.#peers.add(input, this.#now(), options.keepStoredToken ?? false);
  }

  /** Removes a peer and its sync state; false when it was not registered. */
  removePeer(id: string): boolean {
    return this.#db.transaction(() => this.#peers.remove(id)).immediate();
  }

  /** Registered peers, by id; tokens are never included. */
  peers(): Peer[] {
    return this.#peers.list();
  }

  /** The token this node presents to peer `id`, if any. */
  peerToken(id: string): string | undefined {
    return this.#peers.token(id);
  }

  /**
   * Removes tombstones, and facts that have expired, once every known peer (registered, or that
   * pulled this feed) has pulled them (a push does not count), or once they are older than the
   * retention horizon (by version for tombstones, by expiry for facts). With no known peer they are
   * kept until the horizon. Pulls from cursors below the removed rows then get `resync_required`.
   */
  gc(): GcResult {
    return this.#writes.gc();
  }

  /**
   * Calls `listener` after each committed change, local or remote, in feed order. Returns a
   * function that removes it. A throwing listener is ignored: the write has committed.
   */
  onChange(listener: ChangeListener): () => void {
    return this.#listeners.add(listener);
  }

  /** Closes the database file and lets it go: another KnowledgeDB may open it now. */
  close(): void {
    this.#listeners.clear();
    closeKnowledge({ db: this.#db, lock: this.#lock });
  }
}
