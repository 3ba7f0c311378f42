import type Database from 'better-sqlite3';
import { ALERT_OUTBOX_FILE_ID, type SqliteFileKind } from '../../internal/sqlite-file-kind.ts';
import { type Migration, runMigrations } from '../../internal/sqlite-migrations.ts';
import { openStoreFile } from '../../internal/sqlite-store-file.ts';

/**
 * Version 1.
 *
 * - `pending`: deliveries not yet done, one row per message and channel; `next_at` (epoch ms) is
 *   when the next attempt is due. A row leaves this table only in the transaction that logs it,
 *   so a crash between a send and its bookkeeping sends it again (at least once).
 * - `log`: deliveries that ended, `sent` or `failed`, newest last; pruned to the newest rows.
 */
const V1 = `
CREATE TABLE pending (
  id INTEGER PRIMARY KEY,
  channel TEXT NOT NULL,
  message TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_at INTEGER NOT NULL,
  last_error TEXT,
  created_at INTEGER NOT NULL
);
CREATE INDEX pending_due ON pending (next_at);

CREATE TABLE log (
  id INTEGER PRIMARY KEY,
  channel TEXT NOT NULL,
  message TEXT NOT NULL,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  error TEXT,
  created_at INTEGER NOT NULL,
  finished_at INTEGER NOT NULL
);
`;

/**
 * Version 2: `silences` set from the CLI (`fleet silence`), beside those of the fleet file; each
 * row holds one `AlertSilence` as JSON, and is deleted once it ended.
 */
const V2 = `
CREATE TABLE silences (
  id INTEGER PRIMARY KEY,
  silence TEXT NOT NULL,
  until INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);
`;

/**
 * Version 3: `notified`, what the engine last told each rule's channels about each subject (its
 * `AlertEngineMemory`), so a restart neither repeats a `down` nor misses a `recovered`.
 */
const V3 = `
CREATE TABLE notified (key TEXT PRIMARY KEY, level INTEGER NOT NULL, at INTEGER NOT NULL) WITHOUT ROWID;
`;

/**
 * Version 4: `report_runs`, when each scheduled report (by name) runs next, and the schedule that
 * time was computed from (`schedule`: its expression and zone), so a restart after a missed run
 * sends it once, late, and an edited schedule starts afresh.
 */
const V4 = `
CREATE TABLE report_runs (name TEXT PRIMARY KEY, schedule TEXT NOT NULL, next_at INTEGER NOT NULL) WITHOUT ROWID;
`;

const MIGRATIONS: readonly Migration[] = [
  (db) => db.exec(V1),
  (db) => db.exec(V2),
  (db) => db.exec(V3),
  (db) => db.exec(V4),
];

/**
 * The alert outbox's files: marked `FLAO` (new files, and older ones when migrated or first opened
 * by this SDK); unmarked ones have version 1's tables.
 */
const OUTBOX_FILE: SqliteFileKind = {
  name: 'fleet alert outbox',
  schema: 'alert outbox',
  store: 'alert outbox',
  applicationId: ALERT_OUTBOX_FILE_ID,
  version: MIGRATIONS.length,
  tables: ['log', 'pending'],
};

/**
 * Opens the outbox file at `path` (or `':memory:'`), refusing, in one line naming it, a file this
 * process could only read or that is not an alert outbox, before writing to it; then WAL and the
 * migrations.
 */
export function openOutboxFile(path: string): Database.Database {
  return openStoreFile(path, OUTBOX_FILE, (opened) => {
    opened.pragma('journal_mode = WAL');
    opened.pragma('synchronous = NORMAL');
    opened.pragma('busy_timeout = 5000');
    runMigrations(opened, MIGRATIONS, 'alert outbox', { applicationId: ALERT_OUTBOX_FILE_ID });
  }).db;
}
