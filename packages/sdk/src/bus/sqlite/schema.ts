import type Database from 'better-sqlite3';
import { loadDriver } from '../../internal/sqlite-driver.ts';
import { BUS_FILE_ID, listTables } from '../../internal/sqlite-file-kind.ts';
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
export const BUS_APPLICATION_ID = BUS_FILE_ID;

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

/**
 * Brings the schema to {@link SCHEMA_VERSION}, every pending migration in one transaction, recording
 * the version in `PRAGMA user_version` and marking the file with {@link BUS_APPLICATION_ID}. Refuses
 * a database written by a newer version. `now` (the store's clock) classifies the ready rows of a
 * version 1 file as ready or delayed. Run it only on a file `identifyBusFile` (`open-checks.ts`) accepted.
 */
export function migrate(db: Database.Database, now: number): void {
  runMigrations(db, migrations(now), 'message store', { applicationId: BUS_APPLICATION_ID });
}
