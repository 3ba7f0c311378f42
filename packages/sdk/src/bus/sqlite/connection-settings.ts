import type Database from 'better-sqlite3';

/** How durable a commit is; see `SqliteMessageStoreOptions.durability`. */
export type Durability = 'normal' | 'fsync';

/**
 * Page size of a new database file: 8 KiB instead of SQLite's 4 KiB. A commit writes each page it
 * dirtied to the WAL as one frame, with two `pwrite` calls, and a group of sends dirties the ends of
 * the message table and of every index it adds to: with 8 KiB pages a group of 50 single sends
 * writes 23 frames instead of 37 (a quarter more bytes, two fifths fewer system calls), and the
 * store's CPU per send fell about a tenth; the send, lease, ack cycle was unchanged. A file keeps
 * the page size it was created with (changing it takes a VACUUM, which WAL mode refuses).
 */
export const PAGE_SIZE = 8192;

/**
 * WAL written before a commit checkpoints it into the database file: 40 MiB (5,000 frames of
 * {@link PAGE_SIZE}; 10,000 in a 4 KiB file of an older version) instead of SQLite's 1,000 pages.
 * A checkpoint blocks the event loop for two fsyncs (together about 10 ms on the bench machine) plus
 * the pages it copies, and most frames the bus writes are the same hot pages again (measured with
 * 4 KiB pages: in 1,000 frames of single sends, 14% are distinct pages, of the send, lease, ack
 * cycle 7%; in 10,000 frames, 5%), so checkpointing ten times less often than SQLite's default
 * costs several times less in all.
 */
export const WAL_AUTOCHECKPOINT_BYTES = 40 * 1024 * 1024;

/**
 * Page cache size in KiB: SQLite's default 2 MB, deliberately not more. When a b-tree rebalances,
 * SQLite swaps page numbers through a spare number past the end of any database (131,073 with 8 KB
 * pages), and the cache keeps that as its highest page number; the next commit then walks every
 * cached page to drop those past the end of the file. The bus's churn (rows inserted, moved
 * between indexes and deleted) rebalances in almost every commit, so the cost of a commit grew
 * with the cache: at 64 MB the walk took about 7% of a send, lease, ack cycle's store time. The
 * pages a bus touches per commit (the ends of its B-trees, one recipient's slice of an index) fit
 * in 2 MB even with a million messages queued.
 */
export const PAGE_CACHE_KIB = 2048;

/**
 * Connection settings: {@link PAGE_SIZE} for a new file, WAL (readers never block the writer),
 * `synchronous` by durability, a busy timeout for a second process on the same file, a bounded
 * page cache ({@link PAGE_CACHE_KIB}), and fewer, larger checkpoints
 * ({@link WAL_AUTOCHECKPOINT_BYTES}).
 */
export function configure(db: Database.Database, durability: Durability): void {
  // Takes effect only before the first table is created; an existing file keeps its page size.
  db.pragma(`page_size = ${PAGE_SIZE}`);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${durability === 'fsync' ? 'FULL' : 'NORMAL'}`);
  db.pragma('busy_timeout = 5000');
  db.pragma(`cache_size = -${PAGE_CACHE_KIB}`);
  db.pragma('temp_store = MEMORY');
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  db.pragma(`wal_autocheckpoint = ${Math.round(WAL_AUTOCHECKPOINT_BYTES / pageSize)}`);
}

/** The live settings of a connection, read back from SQLite. */
export interface SqliteSettings {
  /** `wal` for a file database. */
  journalMode: string;
  /** `normal` for durability `'normal'`, `full` for `'fsync'`. */
  synchronous: 'off' | 'normal' | 'full' | 'extra';
  busyTimeoutMs: number;
  /** `PRAGMA user_version`: the schema version of the file. */
  schemaVersion: number;
  /** Bytes per database page: {@link PAGE_SIZE} for a file this version created. */
  pageSize: number;
  /** WAL frames a commit lets pile up before it checkpoints: {@link WAL_AUTOCHECKPOINT_BYTES} in pages. */
  walAutocheckpointPages: number;
}

const SYNCHRONOUS = ['off', 'normal', 'full', 'extra'] as const;

/** The durability a `synchronous` level gives: FULL and EXTRA fsync every commit, NORMAL does not. */
export function durabilityOf(synchronous: SqliteSettings['synchronous']): Durability | 'off' {
  if (synchronous === 'off') return 'off';
  return synchronous === 'normal' ? 'normal' : 'fsync';
}

/** The connection's `synchronous` level, by name. */
export function readSynchronous(db: Database.Database): SqliteSettings['synchronous'] {
  return SYNCHRONOUS[db.pragma('synchronous', { simple: true }) as number] ?? 'off';
}

/** Reads {@link SqliteSettings} from the connection. */
export function readSettings(db: Database.Database): SqliteSettings {
  return {
    journalMode: db.pragma('journal_mode', { simple: true }) as string,
    synchronous: readSynchronous(db),
    busyTimeoutMs: db.pragma('busy_timeout', { simple: true }) as number,
    schemaVersion: db.pragma('user_version', { simple: true }) as number,
    pageSize: db.pragma('page_size', { simple: true }) as number,
    walAutocheckpointPages: db.pragma('wal_autocheckpoint', { simple: true }) as number,
  };
}
