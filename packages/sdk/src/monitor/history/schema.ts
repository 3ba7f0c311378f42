import type Database from 'better-sqlite3';
import { MONITOR_FILE_ID, type SqliteFileKind } from '../../internal/sqlite-file-kind.ts';
import { type Migration, runMigrations } from '../../internal/sqlite-migrations.ts';
import { decodeRaw } from './codec.ts';
import { BUCKET_MS } from './time-buckets.ts';

/**
 * Version 1.
 *
 * - `targets`: integer ids for target names, so history rows carry a small integer.
 * - `probes`: raw results, kept 48 h; one row per target and 5-minute bucket (`bucket` =
 *   epoch ms / 300,000) whose `data` packs 7 bytes per result (see codec.ts). `rolled = 0` marks
 *   rows written since the last rollup; the partial index holds only those (a few hundred), so
 *   rollups and reads of not-yet-rolled buckets find them without scanning 48 hours of rows.
 * - `slots`: 5-minute aggregates, kept 30 days; one row per target and hour, varint-packed, with
 *   the hour's totals beside them (a restart reads 30 days of hourly uptime without unpacking).
 * - `days`: daily aggregates, kept a year.
 * - `pending_days`: days that got new results and need their daily aggregate (re)computed once
 *   they are over.
 * - `transitions`: state changes, kept a year; `reason` is the only text column.
 * All times are integers (epoch ms, or bucket, hour and day numbers); keyed tables are
 * WITHOUT ROWID, so the key is stored once.
 */
const V1 = `
CREATE TABLE targets (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);

CREATE TABLE probes (
  target INTEGER NOT NULL,
  bucket INTEGER NOT NULL,
  data BLOB NOT NULL,
  rolled INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (target, bucket)
) WITHOUT ROWID;
CREATE INDEX probes_unrolled ON probes (target, bucket) WHERE rolled = 0;

CREATE TABLE slots (
  target INTEGER NOT NULL,
  hour INTEGER NOT NULL,
  checks INTEGER NOT NULL,
  ok INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (target, hour)
) WITHOUT ROWID;

CREATE TABLE days (
  target INTEGER NOT NULL,
  day INTEGER NOT NULL,
  checks INTEGER NOT NULL,
  ok INTEGER NOT NULL,
  p50 INTEGER NOT NULL,
  p95 INTEGER NOT NULL,
  max INTEGER NOT NULL,
  PRIMARY KEY (target, day)
) WITHOUT ROWID;

CREATE TABLE pending_days (target INTEGER NOT NULL, day INTEGER NOT NULL, PRIMARY KEY (target, day)) WITHOUT ROWID;

CREATE TABLE transitions (
  id INTEGER PRIMARY KEY,
  target INTEGER NOT NULL,
  at INTEGER NOT NULL,
  from_state INTEGER NOT NULL,
  to_state INTEGER NOT NULL,
  reason TEXT
);
CREATE INDEX transitions_target ON transitions (target, id);
`;

/**
 * Version 2: a day's latencies may be null (`days.p50`, `p95`, `max`), for a day without a probe
 * that got a correct answer; they are taken over such probes only. Rebuilds `days` (SQLite cannot
 * drop a NOT NULL constraint in place).
 */
const V2 = `
CREATE TABLE days_v2 (
  target INTEGER NOT NULL,
  day INTEGER NOT NULL,
  checks INTEGER NOT NULL,
  ok INTEGER NOT NULL,
  p50 INTEGER,
  p95 INTEGER,
  max INTEGER,
  PRIMARY KEY (target, day)
) WITHOUT ROWID;
INSERT INTO days_v2 (target, day, checks, ok, p50, p95, max) SELECT target, day, checks, ok, p50, p95, max FROM days;
DROP TABLE days;
ALTER TABLE days_v2 RENAME TO days;
`;

/**
 * Version 3: each target's last probe beside its name, `targets.last_at` (epoch ms) and `last_ms`
 * (its response time, null when no answer came), since retention removes the raw results after
 * 48 h: a target back after a longer absence is `unknown` from its last probe, not from when its
 * state began. Filled from each target's newest raw result.
 */
function v3(db: Database.Database): void {
  db.exec('ALTER TABLE targets ADD COLUMN last_at INTEGER; ALTER TABLE targets ADD COLUMN last_ms INTEGER;');
  const newest = db.prepare<[number], { bucket: number; data: Buffer }>(
    'SELECT bucket, data FROM probes WHERE target = ? ORDER BY bucket DESC LIMIT 1',
  );
  const setLast = db.prepare<[number, number | null, number]>(
    'UPDATE targets SET last_at = ?, last_ms = ? WHERE id = ?',
  );
  for (const id of db.prepare<[], number>('SELECT id FROM targets').pluck().all()) {
    const row = newest.get(id);
    if (!row) continue;
    // A probe that outlived its bucket's next one was appended late: the newest is the latest time.
    const last = decodeRaw(row.bucket * BUCKET_MS, row.data).reduce((a, b) => (b.at >= a.at ? b : a));
    setLast.run(last.at, last.status === 0 ? null : last.latencyMs, id);
  }
}

const MIGRATIONS: readonly Migration[] = [(db) => db.exec(V1), (db) => db.exec(V2), v3];

/** The schema version this code writes. */
export const MONITOR_SCHEMA_VERSION = MIGRATIONS.length;

/**
 * The monitor history's files (the dashboard's, which also hold its `deploy_runs`): marked `FLMO`
 * (new files, and older ones when migrated or first opened by this SDK); unmarked ones have
 * version 1's tables.
 */
export const MONITOR_FILE: SqliteFileKind = {
  name: 'fleet monitor history',
  schema: 'monitor',
  store: 'monitor history',
  applicationId: MONITOR_FILE_ID,
  version: MONITOR_SCHEMA_VERSION,
  tables: ['days', 'pending_days', 'probes', 'slots', 'targets', 'transitions'],
};

/** WAL (readers never block the writer), `synchronous = NORMAL`, a busy timeout. */
export function configure(db: Database.Database): void {
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('temp_store = MEMORY');
}

/** Brings the schema to {@link MONITOR_SCHEMA_VERSION}; refuses a file from a newer SDK. */
export function migrate(db: Database.Database): void {
  runMigrations(db, MIGRATIONS, 'monitor', { applicationId: MONITOR_FILE_ID });
}
