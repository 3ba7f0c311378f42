import type Database from 'better-sqlite3';
import { KNOWLEDGE_FILE_ID, type SqliteFileKind } from '../../internal/sqlite-file-kind.ts';
import { type Migration, runMigrations } from '../../internal/sqlite-migrations.ts';

/**
 * Version 1.
 *
 * `facts` holds the latest state of every key, live or tombstone (`value IS NULL`). Its rowid is
 * the local change sequence: writing a key moves its row to a new, higher `seq`, so the changes
 * feed is a rowid range scan and is compacted (one entry per key) for free. The sync metadata per
 * fact is three small integers (`v_ms`, `v_counter`, `source`, an id into `nodes`), about ten
 * bytes on disk; the feed needs no index of its own.
 *
 * - `facts_key`: gets, key-ordered queries and prefix range scans.
 * - `facts_updated`: `updatedSince` queries that match few facts (new versions append to it).
 * - `facts_tombstones` / `facts_expiring`: partial indexes holding only tombstones and facts with
 *   a TTL, for GC; they cost nothing for ordinary facts.
 * - `fact_tags`: (tag, key) for tag queries in key order.
 * - `facts_fts`: contentless FTS5 over key and value text of live facts (rowid = seq);
 *   `contentless_delete` lets a row go without re-tokenizing its old text.
 * Both are written by FactWriter (in code: twice as fast as triggers) and cleaned up by a delete
 * trigger when GC removes rows.
 * - `clock`: one row with the feed position, the last hybrid logical clock reading and the GC
 *   watermark, written by every write transaction, so neither ever goes backwards on reopen
 *   (GC may delete the row holding the largest seq).
 */
const V1 = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value ANY) WITHOUT ROWID;

CREATE TABLE clock (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  seq INTEGER NOT NULL,
  hlc_ms INTEGER NOT NULL,
  hlc_counter INTEGER NOT NULL,
  gc_watermark INTEGER NOT NULL
);
INSERT INTO clock (id, seq, hlc_ms, hlc_counter, gc_watermark) VALUES (1, 0, 0, 0, 0);

CREATE TABLE nodes (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);

CREATE TABLE facts (
  seq INTEGER PRIMARY KEY,
  key TEXT NOT NULL,
  value TEXT,
  tags TEXT,
  expires_at INTEGER,
  v_ms INTEGER NOT NULL,
  v_counter INTEGER NOT NULL,
  source INTEGER NOT NULL
);
CREATE UNIQUE INDEX facts_key ON facts (key);
CREATE INDEX facts_updated ON facts (v_ms);
CREATE INDEX facts_tombstones ON facts (v_ms) WHERE value IS NULL;
CREATE INDEX facts_expiring ON facts (expires_at) WHERE expires_at IS NOT NULL;

CREATE TABLE fact_tags (tag TEXT NOT NULL, key TEXT NOT NULL, PRIMARY KEY (tag, key)) WITHOUT ROWID;

CREATE VIRTUAL TABLE facts_fts USING fts5(key, value, content='', contentless_delete=1);

-- Writes keep facts_fts and fact_tags in step in code (FactWriter: about twice as fast as
-- triggers); rows leave only through GC, which this trigger cleans up after.
CREATE TRIGGER facts_delete AFTER DELETE ON facts BEGIN
  DELETE FROM facts_fts WHERE rowid = old.seq AND old.value IS NOT NULL;
  DELETE FROM fact_tags WHERE old.tags IS NOT NULL AND key = old.key
    AND tag IN (SELECT value FROM json_each(old.tags));
END;

CREATE TABLE peers (
  id TEXT PRIMARY KEY,
  url TEXT NOT NULL,
  token TEXT,
  created_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE peer_state (
  peer TEXT PRIMARY KEY,
  last_pulled_seq INTEGER NOT NULL DEFAULT 0,
  last_pushed_seq INTEGER NOT NULL DEFAULT 0,
  pulled_by_seq INTEGER NOT NULL DEFAULT 0,
  pulled_by_at INTEGER,
  conflicts_lost INTEGER NOT NULL DEFAULT 0,
  last_success_at INTEGER,
  last_failure_at INTEGER,
  last_error TEXT,
  consecutive_failures INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER
) WITHOUT ROWID;
`;

/**
 * Version 2:
 * - `pulled_feed`: the id of the peer's feed each pull cursor belongs to (`meta.feed_id` of the
 *   peer), so a peer whose database was replaced is recognised even when its new feed is already
 *   longer than the cursor. NULL for cursors stored before: the next pull records it.
 * - `pull_snapshot`: where a first pull, which reads the peer's facts in key order, stands (JSON
 *   of a `PullSnapshot`), so a crash resumes it; NULL when none runs.
 */
const V2 = `
ALTER TABLE peer_state ADD COLUMN pulled_feed TEXT;
ALTER TABLE peer_state ADD COLUMN pull_snapshot TEXT;
`;

/**
 * Version 3:
 * - `feeds`: the feed ids this file has had, one per open (`feed-history.ts`), in the order of
 *   the opens (`n`), with the feed positions each covered here: after `from_seq`, up to `end_seq`
 *   (NULL for the current one). A peer's cursor is good only on a feed of this file and no
 *   further than where that feed ended, so a copy restored from a backup (or left behind by a
 *   power loss) refuses the cursors it never gave out, and a restart costs the peers nothing.
 *   Only the newest feeds are kept (`KEPT_FEEDS`); `meta.feeds_forgotten_end` is where the newest
 *   forgotten one ended.
 * - `meta.feed_lineage`: a random id of this file, shared by its copies, that starts every feed id
 *   it gives out, so a forgotten feed of this file is told apart from a feed of another database.
 * - The one feed id of version 2 (`meta.feed_id`) becomes the first feed (kept for good). The
 *   mark an open file carries (`meta.open_in_boot`) stays: version 3 reads it as version 2 wrote it,
 *   so a version 2 file left open across a reboot is still judged as one that may have lost commits.
 */
const V3 = `
CREATE TABLE feeds (n INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, from_seq INTEGER NOT NULL, end_seq INTEGER);
INSERT INTO feeds (id, from_seq, end_seq) SELECT value, 0, NULL FROM meta WHERE key = 'feed_id';
INSERT OR IGNORE INTO meta (key, value) VALUES ('feed_lineage', 'l' || lower(hex(randomblob(8))));
DELETE FROM meta WHERE key = 'feed_id';
`;

/** Migrations in order: entry `i` takes a database from user_version `i` to `i + 1`. */
const MIGRATIONS: readonly Migration[] = [(db) => db.exec(V1), (db) => db.exec(V2), (db) => db.exec(V3)];

/** The schema version this code writes. */
export const KNOWLEDGE_SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Connection settings: WAL (readers never block the writer), `synchronous = NORMAL`, a busy
 * timeout and a larger page cache. Index writes land on random pages (keys and tags arrive in
 * any order), so a batch dirties many pages: 8 KiB pages (new files only) and a checkpoint every
 * 5,000 pages (40 MiB of WAL, truncated back to 64 MiB at most) instead of every 1,000 made
 * 1,000-fact batches about a third faster.
 */
export function configure(db: Database.Database): void {
  db.pragma('page_size = 8192');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('cache_size = -65536');
  db.pragma('temp_store = MEMORY');
  db.pragma('wal_autocheckpoint = 5000');
  db.pragma('journal_size_limit = 67108864');
}

/**
 * Brings the schema to {@link KNOWLEDGE_SCHEMA_VERSION}, one migration per transaction, recording
 * progress in `PRAGMA user_version`. Refuses a database written by a newer version.
 */
export function migrate(db: Database.Database): void {
  runMigrations(db, MIGRATIONS, 'knowledge', { applicationId: KNOWLEDGE_FILE_ID });
}

/**
 * The knowledge store's files: marked `FLKN` (new files, and older ones when migrated or first
 * opened by this SDK); unmarked ones have version 1's tables.
 */
export const KNOWLEDGE_FILE: SqliteFileKind = {
  name: 'fleet-knowledge',
  schema: 'knowledge',
  store: 'knowledge store',
  applicationId: KNOWLEDGE_FILE_ID,
  version: KNOWLEDGE_SCHEMA_VERSION,
  tables: ['clock', 'fact_tags', 'facts', 'meta', 'nodes', 'peer_state', 'peers'],
};
