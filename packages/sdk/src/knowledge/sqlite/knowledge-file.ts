import type Database from 'better-sqlite3';
import type { Listeners } from '../../internal/listeners.ts';
import type { Change } from '../../schemas/sync.ts';
import { DEFAULT_MAX_CLOCK_SKEW_MS, HybridLogicalClock } from '../hlc.ts';
import { DEFAULT_TOMBSTONE_RETENTION_SECONDS, type KnowledgeDBOptions } from '../knowledge-db-options.ts';
import { FactReader } from './fact-reader.ts';
import { endOpenSession } from './open-session.ts';
import { type OpenedStore, openStore } from './open-store.ts';
import type { Statements } from './statements.ts';
import { SyncFeed } from './sync-feed.ts';
import { WritePath } from './write-path.ts';

/** A knowledge database as `KnowledgeDB` works it: the opened store, its fact reader, write path and sync feed. */
export interface OpenedKnowledge extends OpenedStore {
  /** Physical time now, epoch milliseconds (`options.now`, else `Date.now`). */
  now: () => number;
  /** Facts by key, query pages and row counts. */
  reads: FactReader;
  /** Every write, and the feed position and GC watermark they move. */
  writes: WritePath;
  /** Feed and snapshot pages, pull answers and the peers' sync status. */
  feed: SyncFeed;
}

/**
 * Opens the database at `options.path` ({@link openStore}: created, migrated, marked open, its
 * identity read or made) and recovers where it stood as last saved: the feed position, the GC
 * watermark and the hybrid logical clock. The write path emits each committed row to `listeners`.
 */
export function openKnowledge(options: KnowledgeDBOptions, listeners: Listeners<Change>): OpenedKnowledge {
  const store = openStore(options.path, options.nodeId);
  const now = options.now ?? Date.now;
  const retentionMs = (options.tombstoneRetentionSeconds ?? DEFAULT_TOMBSTONE_RETENTION_SECONDS) * 1000;
  const saved = store.sql.readClock.get()!;
  // The feed position never goes backwards, even if GC removed the newest rows.
  const seq = Math.max(saved.seq, store.sql.maxSeq.get()?.seq ?? 0);
  const clock = new HybridLogicalClock(now, options.maxClockSkewMs ?? DEFAULT_MAX_CLOCK_SKEW_MS, {
    ms: saved.hlcMs,
    counter: saved.hlcCounter,
  });
  const writes = new WritePath(store, clock, { seq, gcWatermark: saved.gcWatermark, now, retentionMs }, listeners);
  const feed = new SyncFeed(store.sql, store.nodes, writes, store.peers, now);
  const reads = new FactReader(store.sql, store.nodes, store.queries, now);
  return { ...store, now, reads, writes, feed };
}

/** Closes the file, marking it closed cleanly ({@link endOpenSession}); nothing when it is closed already. */
export function closeKnowledge(db: Database.Database, sql: Statements): void {
  if (!db.open) return;
  endOpenSession(db, sql);
  db.close();
}
