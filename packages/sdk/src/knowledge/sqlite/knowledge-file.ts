import type { Listeners } from '../../internal/listeners.ts';
import type { Change } from '../../schemas/sync.ts';
import { DEFAULT_MAX_CLOCK_SKEW_MS, HybridLogicalClock } from '../hlc.ts';
import { DEFAULT_TOMBSTONE_RETENTION_SECONDS, type KnowledgeDBOptions } from '../knowledge-db-options.ts';
import { markClosed } from './boot-mark.ts';
import { FactReader } from './fact-reader.ts';
import { savedFeedPosition } from './feed-history.ts';
import { type OpenedStore, openStore } from './open-store.ts';
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
 * Opens the database at `options.path` ({@link openStore}: claimed for this instance, created,
 * migrated, its identity read or made and a new feed started) and recovers where it stood as last
 * saved: the feed position, the GC watermark and the hybrid logical clock. The write path emits
 * each committed row to `listeners`.
 */
export function openKnowledge(options: KnowledgeDBOptions, listeners: Listeners<Change>): OpenedKnowledge {
  const store = openStore(options.path, options.nodeId);
  try {
    const now = options.now ?? Date.now;
    const retentionMs = (options.tombstoneRetentionSeconds ?? DEFAULT_TOMBSTONE_RETENTION_SECONDS) * 1000;
    const saved = store.sql.readClock.get()!;
    const seq = savedFeedPosition(store.sql);
    const clock = new HybridLogicalClock(now, options.maxClockSkewMs ?? DEFAULT_MAX_CLOCK_SKEW_MS, {
      ms: saved.hlcMs,
      counter: saved.hlcCounter,
    });
    const writes = new WritePath(store, clock, { seq, gcWatermark: saved.gcWatermark, now, retentionMs }, listeners);
    const feed = new SyncFeed(store.sql, store.nodes, writes, store.peers, store.feeds, now);
    const reads = new FactReader(store.sql, store.nodes, store.queries, now);
    return { ...store, now, reads, writes, feed };
  } catch (error) {
    closeKnowledge(store);
    throw error;
  }
}

/**
 * Closes the file, marked closed cleanly ({@link markClosed}), and lets it go for the next open;
 * nothing when it is closed already.
 */
export function closeKnowledge(store: Pick<OpenedStore, 'db' | 'lock'>): void {
  try {
    if (store.db.open) {
      try {
        markClosed(store.db);
      } finally {
        store.db.close();
      }
    }
  } finally {
    // Even when the mark could not be cleared (a busy or full disk): the file is closed all the same.
    store.lock.release();
  }
}
