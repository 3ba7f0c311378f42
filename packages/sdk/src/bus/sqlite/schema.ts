import type Database from 'better-sqlite3';
import { loadDriver } from '../../internal/sqlite-driver.ts';
import { type Migration, runMigrations } from '../../internal/sqlite-migrations.ts';
import { rebuildQueueCounts } from './recount.ts';

/**
 * Version 1. `messages.seq` is the insertion order (the FIFO tiebreak); `state` is a MessageState.
 *
 * Every message index is partial, holding only the rows in one state, so each write touches few
 * index pages and no hot query scans the queue:
 * - `messages_ready`: lease/poll for a recipient walks its ready rows in delivery order
 *   (priority DESC, seq); the trailing columns let SQLite skip delayed or expired rows, and count
 *   stats, without reading the table.
 * - `messages_leases`: in-flight rows by lease expiry; `messages_ttl`: ready rows with a TTL by
 *   expiry. Housekeeping reads only the part that has run out.
 * - `messages_dead*`: dead letters in list order, overall and per recipient.
 * - audit: by message, in seq order. Deliberately no index by agent: with many agents its inserts
 *   land on as many pages, which tripled the pages a commit writes; a query by agent scans the
 *   trail instead (bounded by `auditMaxEvents`). Retention deletes the oldest events, so seq
 *   order is also time order; `meta.audit_seq` remembers the last seq once retention has removed
 *   every event, so a seq is never handed out twice.
 */
const V1 = `
CREATE TABLE messages (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  sender TEXT NOT NULL,
  recipient TEXT NOT NULL,
  topic TEXT,
  type TEXT NOT NULL,
  payload TEXT NOT NULL,
  priority INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  available_at INTEGER NOT NULL,
  expires_at INTEGER,
  attempts INTEGER NOT NULL,
  idempotency_key TEXT,
  state TEXT NOT NULL,
  lease_token TEXT,
  lease_expires_at INTEGER,
  dead_reason TEXT,
  dead_at INTEGER,
  last_error TEXT
);
CREATE INDEX messages_ready ON messages (recipient, priority DESC, seq, available_at, expires_at, created_at)
  WHERE state = 'ready';
CREATE INDEX messages_leases ON messages (lease_expires_at, recipient) WHERE state = 'in_flight';
CREATE INDEX messages_ttl ON messages (expires_at, recipient) WHERE state = 'ready' AND expires_at IS NOT NULL;
CREATE INDEX messages_dead_by_agent ON messages (recipient, dead_at, id) WHERE state = 'dead';
CREATE INDEX messages_dead ON messages (dead_at, id) WHERE state = 'dead';

CREATE TABLE agents (name TEXT PRIMARY KEY) WITHOUT ROWID;

CREATE TABLE subscriptions (
  topic TEXT NOT NULL,
  agent TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (topic, agent)
) WITHOUT ROWID;
CREATE INDEX subscriptions_by_agent ON subscriptions (agent, topic);

CREATE TABLE idempotency_keys (
  sender TEXT NOT NULL,
  key TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  response TEXT NOT NULL,
  PRIMARY KEY (sender, key)
) WITHOUT ROWID;
CREATE INDEX idempotency_keys_age ON idempotency_keys (created_at);

CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
INSERT INTO meta (key, value) VALUES ('audit_seq', 0);

CREATE TABLE audit (
  seq INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  event TEXT NOT NULL,
  message_id TEXT NOT NULL,
  agent TEXT NOT NULL,
  details TEXT
);
CREATE INDEX audit_by_message ON audit (message_id, seq);
`;

/**
 * Version 2: queue stats without scans (see ARCHITECTURE.md, "Message store model").
 * - `queue_counts`: per recipient, how many rows are in each counted state, kept by the store in
 *   the transaction of every change (`queue-counters.ts`); a recipient without rows has no row.
 * - `messages.delayed`: 1 on a ready row counted as delayed (its `available_at` was in the future
 *   when it was written) until it is promoted once that time has passed (before a lease or poll
 *   of its recipient, or by the sweep); 0 on every other row.
 * - `messages_ready` now holds only the ready rows counted as ready, so a lease never walks past
 *   delayed rows, and its first unexpired row per priority is the oldest ready message.
 * - `messages_delayed`: the rows counted as delayed, per recipient by `available_at`, so promotion
 *   and a stats read find the ones whose time has come without reading the rest.
 * The existing rows are classified with the store's clock at migration time and counted once.
 */
const V2_COLUMNS = `
ALTER TABLE messages ADD COLUMN delayed INTEGER NOT NULL DEFAULT 0;
CREATE TABLE queue_counts (
  recipient TEXT PRIMARY KEY,
  ready INTEGER NOT NULL,
  delayed INTEGER NOT NULL,
  in_flight INTEGER NOT NULL,
  dead INTEGER NOT NULL
) WITHOUT ROWID;
`;
const V2_INDEXES = `
DROP INDEX messages_ready;
CREATE INDEX messages_ready ON messages (recipient, priority DESC, seq, available_at, expires_at, created_at)
  WHERE state = 'ready' AND delayed = 0;
CREATE INDEX messages_delayed ON messages (recipient, available_at) WHERE state = 'ready' AND delayed = 1;
`;

/**
 * Version 3: `meta.audit_pruned_through`, when the newest event audit retention removed happened
 * (-1: none), so a reader knows how far back the trail is complete. Audit seqs have no gaps here
 * (one past the highest, and a rolled-back insert takes none), so a trail that no longer starts at
 * seq 1 has lost events to retention: it gets the moment just before its oldest event; an empty
 * trail that once held events (`audit_seq`, which every sweep sets) gets the migration's time.
 */
const V3 = `
INSERT INTO meta (key, value) VALUES ('audit_pruned_through', CASE
  WHEN (SELECT min(seq) FROM audit) > 1 THEN (SELECT min(at) FROM audit) - 1
  WHEN NOT EXISTS (SELECT 1 FROM audit) AND (SELECT value FROM meta WHERE key = 'audit_seq') > 0 THEN @now
  ELSE -1 END)`;

/**
 * Version 4: `agents.last_seen`, when the agent was last seen (sent, was sent to, subscribed,
 * leased or polled), written at most about once a minute per agent; a broadcast reaches the agents
 * seen within `agentRetentionSeconds`, and the sweep deletes the others (oldest first, through
 * `agents_last_seen`). The agents already there count as seen at the migration, so an upgrade
 * drops none. The column is added only when missing (a file whose `user_version` was set back).
 */
function addAgentsLastSeen(db: Database.Database, now: number): void {
  const columns = db.pragma('table_info(agents)') as { name: string }[];
  if (!columns.some((column) => column.name === 'last_seen')) {
    db.exec('ALTER TABLE agents ADD COLUMN last_seen INTEGER NOT NULL DEFAULT 0');
    db.prepare('UPDATE agents SET last_seen = ?').run(now);
  }
  db.exec('CREATE INDEX IF NOT EXISTS agents_last_seen ON agents (last_seen)');
}

/** Migrations in order: entry `i` takes a database from user_version `i` to `i + 1`; `now` is the store's clock. */
function migrations(now: number): readonly Migration[] {
  return [
    (db) => db.exec(V1),
    (db) => {
      db.exec(V2_COLUMNS);
      db.prepare(`UPDATE messages SET delayed = 1 WHERE state = 'ready' AND available_at > ?`).run(now);
      db.exec(V2_INDEXES);
      rebuildQueueCounts(db);
    },
    (db) => {
      db.prepare(V3).run({ now });
    },
    (db) => addAgentsLastSeen(db, now),
  ];
}

/** The schema version this code writes. */
export const SCHEMA_VERSION = migrations(0).length;

/**
 * `PRAGMA application_id` of a message store file ('FLBU'): set on a new file and on one migrated
 * from an older version, so an open tells the bus's files from any other SQLite file. Files of
 * versions 1 to 4 written before it existed are recognised by their tables ({@link tablesOfVersion}).
 */
export const BUS_APPLICATION_ID = 0x464c4255;

const tablesByVersion = new Map<number, readonly string[]>();

/**
 * The tables (sorted) a message store file of schema `version` (1 to {@link SCHEMA_VERSION}) has,
 * read from a database in memory brought to that version by the migrations themselves.
 */
export function tablesOfVersion(version: number): readonly string[] {
  let tables = tablesByVersion.get(version);
  if (!tables) {
    const Driver = loadDriver();
    const db = new Driver(':memory:');
    try {
      for (const migration of migrations(0).slice(0, version)) migration(db);
      tables = listTables(db);
    } finally {
      db.close();
    }
    tablesByVersion.set(version, tables);
  }
  return tables;
}

/** The names (sorted) of a database's tables, SQLite's own left out. */
export function listTables(db: Database.Database): string[] {
  return db
    .prepare<[], string>(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
    )
    .pluck()
    .all();
}

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

/**
 * Brings the schema to {@link SCHEMA_VERSION}, every pending migration in one transaction, recording
 * the version in `PRAGMA user_version` and marking the file with {@link BUS_APPLICATION_ID}. Refuses
 * a database written by a newer version. `now` (the store's clock) classifies the ready rows of a
 * version 1 file as ready or delayed. Run it only on a file `identifyBusFile` (`open-checks.ts`) accepted.
 */
export function migrate(db: Database.Database, now: number): void {
  runMigrations(db, migrations(now), 'message store', { applicationId: BUS_APPLICATION_ID });
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
