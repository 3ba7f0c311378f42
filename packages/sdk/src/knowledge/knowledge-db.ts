import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type Database from 'better-sqlite3';
import { FleetError } from '../errors.ts';
import { toIso } from '../internal/iso-time.ts';
import { Listeners } from '../internal/listeners.ts';
import { loadDriver } from '../internal/sqlite-driver.ts';
import type { DeleteFactResult, Fact, FactInput } from '../schemas/fact.ts';
import type { Page } from '../schemas/list.ts';
import type { Peer, PeerInput } from '../schemas/peer.ts';
import type { ApplyResult, Change, ChangePage, SyncPullInput, SyncStatus } from '../schemas/sync.ts';
import { compareVersions, DEFAULT_MAX_CLOCK_SKEW_MS, formatHlc, type HlcTimestamp, HybridLogicalClock } from './hlc.ts';
import { type CheckedChange, checkChange, checkFactInput } from './internal/fact-checks.ts';
import { invalidField } from './internal/invalid.ts';
import { checkNodeId, generateNodeId } from './internal/node-id.ts';
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
import { FactQueries } from './sqlite/fact-query.ts';
import { FactWriter } from './sqlite/fact-writer.ts';
import { prepareGc } from './sqlite/gc.ts';
import { NodeRegistry } from './sqlite/nodes.ts';
import { PeerBook, type SyncOutcome } from './sqlite/peer-book.ts';
import { type FactRow, isLive, toChange, toFact } from './sqlite/rows.ts';
import { configure, migrate } from './sqlite/schema.ts';
import { prepareStatements, type Statements } from './sqlite/statements.ts';
import { peerSyncStatuses } from './sqlite/sync-status.ts';

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

interface ApplyCounts {
  applied: number;
  ignored: number;
  conflictsLost: number;
}

/** Remote changes that passed their checks, with the newest version among them. */
interface CheckedChanges {
  items: CheckedChange[];
  newest: HlcTimestamp | undefined;
}

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
   * The id of this database's changes feed, made when the file was created: a peer that finds
   * another id under the same node id knows the database was replaced and its cursor is void.
   */
  readonly feedId: string;
  readonly #db: Database.Database;
  readonly #sql: Statements;
  readonly #nodes: NodeRegistry;
  readonly #queries: FactQueries;
  readonly #peers: PeerBook;
  readonly #writer: FactWriter;
  readonly #gc: ReturnType<typeof prepareGc>;
  readonly #clock: HybridLogicalClock;
  readonly #now: () => number;
  readonly #retentionMs: number;
  readonly #localSource: number;
  readonly #listeners = new Listeners<Change>();
  #seq: number;
  #gcWatermark: number;

  constructor(options: KnowledgeDBOptions) {
    const Driver = loadDriver();
    if (options.path !== ':memory:' && options.path !== '') mkdirSync(dirname(options.path), { recursive: true });
    const db = new Driver(options.path);
    try {
      configure(db);
      migrate(db);
      this.#db = db;
      this.#sql = prepareStatements(db);
      this.#nodes = new NodeRegistry(this.#sql);
      this.#queries = new FactQueries(db, this.#nodes);
      this.#peers = new PeerBook(this.#sql);
      this.#writer = new FactWriter(this.#sql);
      this.#gc = prepareGc(db);
      this.nodeId = this.#initNodeId(options.nodeId);
      this.feedId = this.#initFeedId();
      this.#localSource = db.transaction(() => this.#nodes.idOf(this.nodeId)).immediate();
    } catch (error) {
      db.close();
      throw error;
    }
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
    const { result, change } = this.#write(() => {
      const old = this.#sql.stateOf.get(key);
      if (!old || !isLive(old, this.#now())) return { result: { key, deleted: false, version: null }, change: null };
      const version = this.#clock.now();
      const tombstone: FactRow = {
        seq: ++this.#seq,
        key,
        value: null,
        tags: null,
        expiresAt: null,
        vMs: version.ms,
        vCounter: version.counter,
        source: this.#localSource,
      };
      this.#writer.write(tombstone, old);
      this.#saveClock();
      return { result: { key, deleted: true, version: formatHlc(version) }, change: tombstone };
    });
    if (change) this.#emit([change]);
    return result;
  }

  /**
   * Live, unexpired facts matching every given filter (key prefix, tag, FTS5 full text over key
   * and value, `updatedAt >= updatedSince`), ordered by key, one page of `limit` (default 100).
   * Throws `validation_failed` (field `q`) for bad full-text syntax, (field `cursor`) for a bad cursor.
   */
  query(query: FactQueryInit = {}): Page<Fact> {
    return this.#queries.run(query, this.#now());
  }

  /**
   * This node's changes feed after `since`: the latest state of each key written (tombstones and
   * expired facts included), in seq order, at most `limit`. With `exceptSource`, changes written
   * by that node are left out (SQLite skips them without reading them into JavaScript) and, when
   * nothing more is left, `nextSince` moves past the skipped ones to the end of the feed.
   */
  changes(since: number, limit: number, options: ChangesOptions = {}): ChangePage {
    if (!Number.isSafeInteger(limit) || limit < 1) throw invalidField('limit', 'must be a positive whole number');
    const except = options.exceptSource === undefined ? undefined : this.#nodes.find(options.exceptSource);
    const rows =
      except === undefined
        ? this.#sql.changesSince.all(since, limit + 1)
        : this.#sql.changesSinceExcept.all(since, except, limit + 1);
    const hasMore = rows.length > limit;
    const changes = (hasMore ? rows.slice(0, limit) : rows).map((row) => this.#toChange(row));
    const last = changes.length > 0 ? changes[changes.length - 1]!.seq : since;
    return {
      changes,
      count: changes.length,
      nodeId: this.nodeId,
      feedId: this.feedId,
      nextSince: hasMore || except === undefined ? last : Math.max(last, this.#seq),
      hasMore,
    };
  }

  /**
   * Answers a peer's pull: checks its cursor ({@link checkPullCursor}), records how far it has
   * committed (`acknowledged`, else `since`) for tombstone GC, and returns the page after `since`.
   */
  servePull(input: SyncPullInput): ChangePage {
    if (input.afterKey !== undefined) {
      if (input.since !== 0) throw invalidField('afterKey', 'a snapshot pull (afterKey) needs since 0');
      this.recordPulledBy(input.nodeId, 0);
      return this.snapshotPage(input.afterKey, input.limit);
    }
    this.checkPullCursor(input.since);
    this.recordPulledBy(input.nodeId, Math.min(input.acknowledged ?? input.since, input.since));
    return this.changes(input.since, input.limit);
  }

  /**
   * One page of a snapshot: the state of every key (tombstones and expired facts included) in key
   * order after `afterKey` (null: from the first key), with `nextKey` to continue from, this
   * node's current feed position as `nextSince` and its `gcWatermark`.
   */
  snapshotPage(afterKey: string | null, limit: number): ChangePage {
    if (!Number.isSafeInteger(limit) || limit < 1) throw invalidField('limit', 'must be a positive whole number');
    const rows = this.#sql.stateAfterKey.all(afterKey ?? '', limit + 1);
    const hasMore = rows.length > limit;
    const changes = (hasMore ? rows.slice(0, limit) : rows).map((row) => this.#toChange(row));
    return {
      changes,
      count: changes.length,
      nodeId: this.nodeId,
      feedId: this.feedId,
      nextSince: this.#seq,
      hasMore,
      nextKey: hasMore ? changes[changes.length - 1]!.key : null,
      gcWatermark: this.#gcWatermark,
    };
  }

  /** The latest position of this node's changes feed (0 before any write). */
  seq(): number {
    return this.#seq;
  }

  /**
   * Merges remote changes (from `fromNodeId`, a peer): each wins when its (version, source) is
   * greater than the stored state's, else it is ignored, so applying is idempotent and
   * order-independent. All in one transaction. When any version is more than `maxClockSkewMs`
   * ahead of this node's clock the whole batch is rejected with FleetError('clock_skew').
   */
  applyChanges(changes: readonly Change[], fromNodeId: string): ApplyResult {
    const checked = this.#checkChanges(changes);
    const { counts, written } = this.#write(() => this.#applyChecked(checked, fromNodeId));
    this.#emit(written);
    return { nodeId: this.nodeId, ...counts };
  }

  /**
   * Applies a page pulled from peer `peerId` and stores `page.nextSince` as the pull checkpoint in
   * the same transaction: a crash loses neither, and at most this page is pulled again.
   */
  applyPulled(peerId: string, page: ChangePage): ApplyResult {
    const checked = this.#checkChanges(page.changes);
    const { counts, written } = this.#write(() => {
      const outcome = this.#applyChecked(checked, peerId);
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
  applySnapshotPage(peerId: string, page: ChangePage, progress: PullSnapshot, done: boolean): ApplyResult {
    const checked = this.#checkChanges(page.changes);
    const { counts, written } = this.#write(() => {
      const outcome = this.#applyChecked(checked, peerId);
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
    if (since === 0) return;
    if (since < this.#gcWatermark || since > this.#seq) {
      const reason =
        since > this.#seq
          ? `is beyond this node's feed (at ${this.#seq}); the database was replaced`
          : `predates tombstones collected up to ${this.#gcWatermark}`;
      throw new FleetError('resync_required', `Pull cursor ${since} ${reason}: pull again from 0`, {
        details: { since, watermark: this.#gcWatermark, seq: this.#seq },
      });
    }
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

  /** Closes the database file. */
  close(): void {
    this.#listeners.clear();
    if (this.#db.open) this.#db.close();
  }

  #initNodeId(requested: string | undefined): string {
    if (requested !== undefined) checkNodeId(requested);
    const stored = this.#sql.getMeta.get('node_id')?.value;
    if (typeof stored === 'string') {
      if (requested !== undefined && requested !== stored) {
        throw new FleetError('conflict', `${this.#db.name} belongs to node ${stored}, not ${requested}`, {
          details: { field: 'nodeId', stored, requested },
        });
      }
      return stored;
    }
    const nodeId = requested ?? generateNodeId();
    this.#sql.setMeta.run('node_id', nodeId);
    return nodeId;
  }

  #initFeedId(): string {
    const stored = this.#sql.getMeta.get('feed_id')?.value;
    if (typeof stored === 'string') return stored;
    const feedId = randomUUID();
    this.#sql.setMeta.run('feed_id', feedId);
    return feedId;
  }

  #putAll(inputs: ReturnType<typeof checkFactInput>[]): Fact[] {
    const rows = this.#write(() => {
      const written = inputs.map((input): FactRow => {
        const version = this.#clock.now();
        const row: FactRow = {
          seq: ++this.#seq,
          key: input.key,
          value: input.valueText,
          tags: input.tagsText,
          expiresAt: input.ttlMs === null ? null : version.ms + input.ttlMs,
          vMs: version.ms,
          vCounter: version.counter,
          source: this.#localSource,
        };
        this.#writer.write(row, this.#sql.stateOf.get(row.key));
        return row;
      });
      this.#saveClock();
      return written;
    });
    this.#emit(rows);
    return rows.map((row, index) => {
      const input = inputs[index]!;
      const version = formatHlc({ ms: row.vMs, counter: row.vCounter });
      return {
        key: row.key,
        value: input.value,
        tags: input.tags,
        source: this.nodeId,
        version,
        updatedAt: toIso(row.vMs),
        expiresAt: row.expiresAt === null ? null : toIso(row.expiresAt),
      };
    });
  }

  // Checks every change and the clock bound before anything is written.
  #checkChanges(changes: readonly Change[]): CheckedChanges {
    const items = changes.map((change, index) => checkChange(change, `changes.${index}.`));
    const newest = this.#newest(items);
    if (newest) this.#clock.check(newest);
    return { items, newest };
  }

  #newest(checked: readonly CheckedChange[]): HlcTimestamp | undefined {
    let newest: HlcTimestamp | undefined;
    for (const { version } of checked) {
      if (!newest || version.ms > newest.ms || (version.ms === newest.ms && version.counter > newest.counter)) {
        newest = version;
      }
    }
    return newest;
  }

  // Runs inside a write transaction; the caller emits `written` after commit.
  #applyChecked(checked: CheckedChanges, fromNodeId: string): { counts: ApplyCounts; written: FactRow[] } {
    const counts: ApplyCounts = { applied: 0, ignored: 0, conflictsLost: 0 };
    const written: FactRow[] = [];
    if (checked.newest) this.#clock.update(checked.newest);
    for (const item of checked.items) {
      const { change } = item;
      const stored = this.#sql.stateOf.get(change.key);
      if (stored) {
        const order = compareVersions(
          { version: change.version, source: change.source, deleted: item.valueText === null },
          {
            version: formatHlc({ ms: stored.vMs, counter: stored.vCounter }),
            source: this.#nodes.nameOf(stored.source),
            deleted: stored.deleted === 1,
          },
        );
        if (order <= 0) {
          counts.ignored++;
          continue;
        }
        if (stored.source === this.#localSource && change.source !== this.nodeId) counts.conflictsLost++;
      }
      const row: FactRow = {
        seq: ++this.#seq,
        key: change.key,
        value: item.valueText,
        tags: item.tagsText,
        expiresAt: item.expiresAt,
        vMs: item.version.ms,
        vCounter: item.version.counter,
        source: this.#nodes.idOf(change.source),
      };
      this.#writer.write(row, stored);
      written.push(row);
      counts.applied++;
    }
    if (counts.conflictsLost > 0) this.#peers.addConflicts(fromNodeId, counts.conflictsLost);
    this.#saveClock();
    return { counts, written };
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
