import type Database from 'better-sqlite3';
import type { Listeners } from '../../internal/listeners.ts';
import type { DeleteFactResult, Fact } from '../../schemas/fact.ts';
import type { ApplyResult, Change, ChangePage } from '../../schemas/sync.ts';
import type { HybridLogicalClock } from '../hlc.ts';
import type { CheckedChanges } from '../internal/checked-changes.ts';
import type { CheckedInput } from '../internal/fact-checks.ts';
import type { GcResult, PullSnapshot } from '../knowledge-db-options.ts';
import type { PulledPage } from '../sync/pulled-page.ts';
import { ChangeApplier } from './change-applier.ts';
import type { FeedSource } from './feed-reader.ts';
import type { prepareGc } from './gc.ts';
import { LocalWriter } from './local-writer.ts';
import type { NodeRegistry } from './nodes.ts';
import type { OpenedStore } from './open-store.ts';
import type { PeerBook } from './peer-book.ts';
import { type FactRow, toChange } from './rows.ts';
import type { Statements } from './statements.ts';
import type { WriteContext } from './write-context.ts';

/** The changes of a page as received, or as the sync engine checked them already. */
function changesOf(page: ChangePage | PulledPage): readonly Change[] | CheckedChanges {
  return 'checked' in page ? page.checked : page.changes;
}

/** Where a {@link WritePath} starts (the feed position and GC watermark found at open) and its settings. */
export interface WritePathStart {
  /** The latest feed position. */
  seq: number;
  /** The highest feed position GC has removed a row at. */
  gcWatermark: number;
  /** Physical time now, epoch milliseconds. */
  now: () => number;
  /** How long tombstones and expired facts are kept at most, in milliseconds. */
  retentionMs: number;
}

/**
 * The write side of a knowledge database (see `KnowledgeDB` for each operation): local puts and
 * deletes, applied remote changes and GC, each in one immediate transaction. It keeps the feed
 * position and the GC watermark in memory, rolls the position back when a transaction fails, and
 * emits the rows a write committed to the change listeners, in feed order.
 */
export class WritePath implements FeedSource {
  readonly nodeId: string;
  readonly feedId: string;
  readonly #db: Database.Database;
  readonly #sql: Statements;
  readonly #nodes: NodeRegistry;
  readonly #peers: PeerBook;
  readonly #gc: ReturnType<typeof prepareGc>;
  readonly #clock: HybridLogicalClock;
  readonly #local: LocalWriter;
  readonly #applier: ChangeApplier;
  readonly #now: () => number;
  readonly #retentionMs: number;
  readonly #listeners: Listeners<Change>;
  #seq: number;
  #gcWatermark: number;

  constructor(store: OpenedStore, clock: HybridLogicalClock, start: WritePathStart, listeners: Listeners<Change>) {
    this.nodeId = store.nodeId;
    this.feedId = store.feedId;
    this.#db = store.db;
    this.#sql = store.sql;
    this.#nodes = store.nodes;
    this.#peers = store.peers;
    this.#gc = store.gc;
    this.#clock = clock;
    this.#now = start.now;
    this.#retentionMs = start.retentionMs;
    this.#listeners = listeners;
    this.#seq = start.seq;
    this.#gcWatermark = start.gcWatermark;
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
    this.#local = new LocalWriter(context);
    this.#applier = new ChangeApplier(context, this.#peers);
  }

  /** The latest feed position (0 before any write). */
  seq(): number {
    return this.#seq;
  }

  /** The highest feed position GC has removed a row at (0 when GC has removed nothing). */
  gcWatermark(): number {
    return this.#gcWatermark;
  }

  /** Puts checked inputs, all in one transaction; returns the facts written, in order. */
  put(inputs: CheckedInput[]): Fact[] {
    const rows = this.#write(() => this.#local.put(inputs));
    this.#emit(rows);
    return this.#local.facts(rows, inputs);
  }

  /** Writes a tombstone for `key` when it holds a live fact. */
  delete(key: string): DeleteFactResult {
    const { result, change } = this.#write(() => this.#local.delete(key));
    if (change) this.#emit([change]);
    return result;
  }

  /** Merges remote changes from `fromNodeId`, all in one transaction. */
  applyChanges(changes: readonly Change[] | CheckedChanges, fromNodeId: string): ApplyResult {
    const checked = this.#applier.check(changes);
    const { counts, written } = this.#write(() => this.#applier.apply(checked, fromNodeId));
    this.#emit(written);
    return { nodeId: this.nodeId, ...counts };
  }

  /** Applies a page pulled from `peerId` and stores its `nextSince` as the pull cursor, in one transaction. */
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

  /** Applies a snapshot page pulled from `peerId` and stores (or, when `done`, ends) `progress`, in one transaction. */
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

  /** Removes the tombstones and expired facts every known peer has pulled or the horizon has passed. */
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

  #emit(rows: readonly FactRow[]): void {
    if (this.#listeners.size === 0) return;
    for (const row of rows) this.#listeners.emit(toChange(row, this.#nodes.nameOf(row.source)));
  }
}
