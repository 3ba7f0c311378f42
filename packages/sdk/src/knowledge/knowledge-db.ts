import type Database from 'better-sqlite3';
import type { EncodedJson } from '../contract/encoded-json.ts';
import { invalidField } from '../internal/invalid-field.ts';
import { Listeners } from '../internal/listeners.ts';
import type { DeleteFactResult, Fact, FactInput, FactPage } from '../schemas/fact.ts';
import type { Page } from '../schemas/list.ts';
import type { Peer, PeerInput } from '../schemas/peer.ts';
import type { ApplyResult, Change, ChangePage, SyncPullInput, SyncStatus } from '../schemas/sync.ts';
import { DEFAULT_MAX_CLOCK_SKEW_MS, HybridLogicalClock } from './hlc.ts';
import type { CheckedChanges } from './internal/checked-changes.ts';
import { type CheckedInput, checkFactInput } from './internal/fact-checks.ts';
import {
  type ChangeListener,
  type ChangesOptions,
  DEFAULT_TOMBSTONE_RETENTION_SECONDS,
  type FactQueryInit,
  type GcResult,
  type KnowledgeDBOptions,
  type KnowledgeStats,
  type PeerState,
  type PullSnapshot,
} from './knowledge-db-options.ts';
import { ChangeApplier } from './sqlite/change-applier.ts';
import type { FactQueries } from './sqlite/fact-query.ts';
import { FeedReader } from './sqlite/feed-reader.ts';
import type { prepareGc } from './sqlite/gc.ts';
import { LocalWriter } from './sqlite/local-writer.ts';
import type { NodeRegistry } from './sqlite/nodes.ts';
import { endOpenSession } from './sqlite/open-session.ts';
import { openStore } from './sqlite/open-store.ts';
import type { PeerBook, SyncOutcome } from './sqlite/peer-book.ts';
import { type FactRow, isLive, toChange, toFact } from './sqlite/rows.ts';
import type { Statements } from './sqlite/statements.ts';
import { peerSyncStatuses } from './sqlite/sync-status.ts';
import type { WriteContext } from './sqlite/write-context.ts';
import type { PulledPage } from './sync/pulled-page.ts';

/** The changes of a page as received, or as the sync engine checked them already. */
function changesOf(page: ChangePage | PulledPage): readonly Change[] | CheckedChanges {
  return 'checked' in page ? page.checked : page.changes;
}

export type {
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
 * file (it keeps the feed position and the clock in memory).
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
   * The id of this database's changes feed, made when the file was created, and made anew when the
   * file was not closed before the machine rebooted (its last commits, and their feed positions,
   * may be lost): a peer that finds another id under the same node id knows its cursor is void.
   */
  readonly feedId: string;
  readonly #db: Database.Database;
  readonly #sql: Statements;
  readonly #nodes: NodeRegistry;
  readonly #queries: FactQueries;
  readonly #peers: PeerBook;
  readonly #gc: ReturnType<typeof prepareGc>;
  readonly #clock: HybridLogicalClock;
  readonly #feed: FeedReader;
  readonly #local: LocalWriter;
  readonly #applier: ChangeApplier;
  readonly #now: () => number;
  readonly #retentionMs: number;
  readonly #listeners = new Listeners<Change>();
  #seq: number;
  #gcWatermark: number;

  constructor(options: KnowledgeDBOptions) {
    const store = openStore(options.path, options.nodeId);
    this.#db = store.db;
    this.#sql = store.sql;
    this.#nodes = store.nodes;
    this.#queries = store.queries;
    this.#peers = store.peers;
    this.#gc = store.gc;
    this.nodeId = store.nodeId;
    this.feedId = store.feedId;
    this.#now = options.now ?? Date.now;
    this.#retentionMs = (options.tombstoneRetentionSeconds ?? DEFAULT_TOMBSTONE_RETENTION_SECONDS) * 1000;
    const clock = this.#sql.readClock.get()!;
    // The feed position never goes backwards, even if GC removed the newest rows.
    this.#seq = Math.max(clock.seq, this.#sql.maxSeq.get()?.seq ?? 0);
    this.#gcWatermark = clock.gcWatermark;
    this.#clock = new HybridLogicalClock(this.#now, options.maxClockSkewMs ?? DEFAULT_MAX_CLOCK_SKEW_MS, {
      ms: clock.hlcMs,
      counter: clock.hlcCounter,
    });
    const context: WriteContext = {
      sql: this.#sql,
      nodes: this.#nodes,
      writer: store.writer,
      clock: this.#clock,
      now: this.#now,
      nodeId: this.nodeId,
      localSource: store.localSource,
      nextSeq: () => ++this.#seq,
      saveClock: () => this.#saveClock(),
    };
    this.#feed = new FeedReader(this.#sql, this.#nodes, this);
    this.#local = new LocalWriter(context);
    this.#applier = new ChangeApplier(context, this.#peers);
  }

  /** Puts one fact (schema-parsed input): a new version written by this node. */
  put(input: FactInput): Fact {
    return this.#putAll([checkFactInput(input)])[0]!;
  }

  /** Puts up to 1,000 facts in one transaction: all are stored, or (on any invalid item) none. */
  putBatch(inputs: readonly FactInput[]): Fact[] {
    return this.#putAll(inputs.map((input, index) => checkFactInput(input, `facts.${index}.`)));
  }

  /** The live fact under `key`; undefined when absent, deleted or expired. */
  get(key: string): Fact | undefined {
    const row = this.#sql.byKey.get(key);
    return row && isLive(row, this.#now()) ? this.#toFact(row) : undefined;
  }

  /**
   * Deletes the fact under `key` by writing a tombstone with a new version, which replicates and
   * beats older puts. When there is no live fact (absent, deleted or expired) nothing is written.
   */
  delete(key: string): DeleteFactResult {
    const { result, change } = this.#write(() => this.#local.delete(key));
    if (change) this.#emit([change]);
    return result;
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
    return this.#queries.run(query, this.#now());
  }

  /**
   * Answers `GET /facts`: the page {@link query} returns, as the route's JSON (`facts`, `count`,
   * `nextCursor`), encoded straight from the stored JSON text without decoding any value.
   */
  serveQuery(query: FactQueryInit = {}): EncodedJson<FactPage> {
    return this.#queries.encoded(query, this.#now());
  }

  /**
   * This node's changes feed after `since`: the latest state of each key written (tombstones and
   * expired facts included), in seq order, at most `limit`. With `exceptSource`, changes written
   * by that node are left out (SQLite skips them without reading them into JavaScript) and, when
   * nothing more is left, `nextSince` moves past the skipped ones to the end of the feed.
   */
  changes(since: number, limit: number, options: ChangesOptions = {}): ChangePage {
    return this.#feed.changes(since, limit, options).toPage();
  }

  /**
   * Answers a peer's pull: checks its cursor ({@link checkPullCursor}), records how far it has
   * committed (`acknowledged`, else `since`) for tombstone GC, and returns the page after `since`
   * (or the snapshot page after `afterKey`), encoded straight from the stored JSON text.
   */
  servePull(input: SyncPullInput): EncodedJson<ChangePage> {
    if (input.afterKey !== undefined) {
      if (input.since !== 0) throw invalidField('afterKey', 'a snapshot pull (afterKey) needs since 0');
      this.recordPulledBy(input.nodeId, 0);
      return this.#feed.snapshotPage(input.afterKey, input.limit).encode();
    }
    this.checkPullCursor(input.since);
    this.recordPulledBy(input.nodeId, Math.min(input.acknowledged ?? input.since, input.since));
    return this.#feed.changes(input.since, input.limit, {}).encode();
  }

  /**
   * One page of a snapshot: the state of every key (tombstones and expired facts included) in key
   * order after `afterKey` (null: from the first key), with `nextKey` to continue from, this
   * node's current feed position as `nextSince` and its `gcWatermark`.
   */
  snapshotPage(afterKey: string | null, limit: number): ChangePage {
    return this.#feed.snapshotPage(afterKey, limit).toPage();
  }

  /** The latest position of this node's changes feed (0 before any write). */
  seq(): number {
    return this.#seq;
  }

  /**
   * Merges remote changes (from `fromNodeId`, a peer): each wins when its (version, source) is
   * greater than the stored state's, else it is ignored, so applying is idempotent and
   * order-independent. All in one transaction. When any version is more than `maxClockSkewMs`
   * ahead of this node's clock the whole batch is rejected with FleetError('clock_skew'). Changes
   * checked already (`CheckedChanges`, from `decodePulledPage`) are not checked again.
   */
  applyChanges(changes: readonly Change[] | CheckedChanges, fromNodeId: string): ApplyResult {
    const checked = this.#applier.check(changes);
    const { counts, written } = this.#write(() => this.#applier.apply(checked, fromNodeId));
    this.#emit(written);
    return { nodeId: this.nodeId, ...counts };
  }

  /**
   * Applies a page pulled from peer `peerId` and stores `page.nextSince` as the pull checkpoint in
   * the same transaction: a crash loses neither. The page may come checked already (a
   * `PulledPage`, from `decodePulledPage`).
   */
  applyPulled(peerId: string, page: ChangePage | PulledPage): ApplyResult {
    const checked = this.#applier.check(changesOf(page));
    const { counts, written } = this.#write(() => {
      const outcome = this.#applier.apply(checked, peerId);
      this.#peers.setPulled(peerId, page.nextSince, page.feedId);
      return outcome;
    });
    this.#emit(written);
    return { nodeId: this.nodeId, ...counts };
  }

  /**
   * Applies a snapshot page pulled from `peerId` and, in the same transaction, stores `progress`
   * (where the snapshot stands), or, when `done`, ends it: the pull cursor becomes `progress.seq`
   * (with its feed id) and the progress is cleared.
   */
  applySnapshotPage(peerId: string, page: ChangePage | PulledPage, progress: PullSnapshot, done: boolean): ApplyResult {
    const checked = this.#applier.check(changesOf(page));
    const { counts, written } = this.#write(() => {
      const outcome = this.#applier.apply(checked, peerId);
      if (done) this.#peers.setPulled(peerId, progress.seq, progress.feedId ?? undefined);
      this.#peers.setPullSnapshot(peerId, done ? null : progress);
      return outcome;
    });
    this.#emit(written);
    return { nodeId: this.nodeId, ...counts };
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
   * Throws FleetError('resync_required') when a pull from `since` could miss deletions: GC has
   * removed tombstones after `since` (0 < since < {@link gcWatermark}), or `since` is beyond this
   * feed (the database was replaced). `since = 0` (a full pull) is always fine.
   */
  checkPullCursor(since: number): void {
    this.#feed.checkPullCursor(since);
  }

  /** Counts of the stored rows (for metrics): live facts, tombstones, expired facts not yet collected. */
  stats(): KnowledgeStats {
    const { rows, tombstones, expired } = this.#sql.stats.get({ now: this.#now() })!;
    return { facts: rows - tombstones - expired, tombstones, expired };
  }

  /** The highest feed position GC has removed a row at (0 when GC has removed nothing). */
  gcWatermark(): number {
    return this.#gcWatermark;
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
    const peers = peerSyncStatuses(this.#sql, this.#peers, peerUrls, this.#now());
    return {
      peers,
      count: peers.length,
      nodeId: this.nodeId,
      seq: this.#seq,
      conflictsLost: this.#peers.totalConflicts(),
    };
  }

  /** Registers or updates a peer (url and token replaced; no token removes it). */
  addPeer(input: PeerInput): Peer {
    return this.#peers.add(input, this.#now());
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
   * pulled this feed) has seen them, or once they are older than the retention horizon (by
   * version for tombstones, by expiry for facts). With no known peer they are kept until the
   * horizon. Pulls from cursors below the removed rows then get `resync_required`.
   */
  gc(): GcResult {
    return this.#write(() => {
      const now = this.#now();
      const pass = this.#gc.run({ now, horizonMs: now - this.#retentionMs, seenByAll: this.#gc.seenByAll() });
      if (pass.maxSeq > this.#gcWatermark) {
        this.#gcWatermark = pass.maxSeq;
        this.#saveClock();
      }
      return { tombstonesRemoved: pass.tombstonesRemoved, expiredRemoved: pass.expiredRemoved };
    });
  }

  /**
   * Calls `listener` after each committed change, local or remote, in feed order. Returns a
   * function that removes it. A throwing listener is ignored: the write has committed.
   */
  onChange(listener: ChangeListener): () => void {
    return this.#listeners.add(listener);
  }

  /** Closes the database file, marking it closed cleanly (see `feedId`). */
  close(): void {
    this.#listeners.clear();
    if (!this.#db.open) return;
    endOpenSession(this.#db, this.#sql);
    this.#db.close();
  }

  #putAll(inputs: CheckedInput[]): Fact[] {
    const rows = this.#write(() => this.#local.put(inputs));
    this.#emit(rows);
    return this.#local.facts(rows, inputs);
  }

  // One immediate transaction; on failure the in-memory feed position and node ids roll back too.
  #write<T>(fn: () => T): T {
    const seqBefore = this.#seq;
    try {
      return this.#db.transaction(fn).immediate();
    } catch (error) {
      this.#seq = seqBefore;
      this.#nodes.reload();
      throw error;
    }
  }

  #saveClock(): void {
    const last = this.#clock.last;
    this.#sql.saveClock.run(this.#seq, last.ms, last.counter, this.#gcWatermark);
  }

  #toFact(row: FactRow): Fact {
    return toFact(row, this.#nodes.nameOf(row.source));
  }

  #toChange(row: FactRow): Change {
    return toChange(row, this.#nodes.nameOf(row.source));
  }

  #emit(rows: readonly FactRow[]): void {
    if (this.#listeners.size === 0) return;
    for (const row of rows) this.#listeners.emit(this.#toChange(row));
  }
}
