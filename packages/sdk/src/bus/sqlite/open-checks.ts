import { existsSync, statSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { isFleetError } from '../../errors.ts';
import { readOnlyReason } from '../../internal/sqlite-writable.ts';
import { BUS_APPLICATION_ID, listTables, SCHEMA_VERSION, tablesOfVersion } from './schema.ts';

/** Other Fleet stores' SQLite files, by tables only they have: named when one is given as the bus's. */
const OTHER_FLEET_FILES: ReadonlyArray<{ name: string; tables: readonly string[] }> = [
  { name: 'fleet-knowledge', tables: ['facts', 'peers'] },
  { name: 'fleet monitor history', tables: ['targets', 'probes'] },
  { name: 'fleet alert outbox', tables: ['pending', 'log'] },
];

/** Whether `tables` (sorted) are exactly `expected` (sorted). */
const sameTables = (tables: readonly string[], expected: readonly string[]) =>
  tables.length === expected.length && tables.every((name, i) => name === expected[i]);

function newerVersion(path: string, version: number): Error {
  return new Error(
    `${path} has message store schema version ${version}, newer than this SDK supports (${SCHEMA_VERSION}); upgrade @fleet/sdk`,
  );
}

function notABusFile(path: string, tables: readonly string[], version: number, applicationId: number): Error {
  const other = OTHER_FLEET_FILES.find((file) => file.tables.every((table) => tables.includes(table)));
  const shown = tables.length > 6 ? [...tables.slice(0, 6), `and ${tables.length - 6} more`] : tables;
  const contents = tables.length === 0 ? 'no tables' : `tables ${shown.join(', ')}`;
  const marks = `user_version ${version}${applicationId === 0 ? '' : `, application_id ${applicationId}`}`;
  return new Error(
    `${path} is not a fleet-bus database${other ? ` (it looks like a ${other.name} database)` : ''}: it has ${contents} (${marks}); the bus opens only a new or empty file or one of its own, and left this one untouched`,
  );
}

/**
 * Tells, by reading only, whether the file open in `db` is the bus's to use, and throws one line
 * naming it when not. Accepted: an empty database (new), a file marked with {@link BUS_APPLICATION_ID}
 * of this version or older, and an unmarked file whose `user_version` (1 to {@link SCHEMA_VERSION})
 * and tables are exactly those of a bus file of that version (written before the mark existed).
 * Refused: a bus file of a newer version (naming both versions), anything else as not a fleet-bus
 * database, before a single byte of it (its journal mode included) is changed.
 */
export function identifyBusFile(db: Database.Database, path: string): void {
  const tables = listTables(db);
  const empty = db.prepare('SELECT count(*) FROM sqlite_master').pluck().get() === 0;
  const version = db.pragma('user_version', { simple: true }) as number;
  const applicationId = db.pragma('application_id', { simple: true }) as number;
  if (applicationId === BUS_APPLICATION_ID) {
    if (version > SCHEMA_VERSION) throw newerVersion(path, version);
    return;
  }
  if (applicationId === 0) {
    if (empty && version === 0) return;
    if (version >= 1 && version <= SCHEMA_VERSION && sameTables(tables, tablesOfVersion(version))) return;
    // From a newer SDK that had not marked it, or emptied with only its version left.
    const current = tablesOfVersion(SCHEMA_VERSION);
    if (version > SCHEMA_VERSION && (empty || current.every((table) => tables.includes(table)))) {
      throw newerVersion(path, version);
    }
  }
  throw notABusFile(path, tables, version, applicationId);
}

/**
 * Refuses, in one line naming the file and why, a file this process could open only read-only
 * (SQLite would open it so without a word, and every write would fail): a read-only file, a
 * directory where its `-wal` and `-shm` cannot be created, a read-only filesystem.
 */
export function assertWritable(path: string): void {
  const reason = readOnlyReason(path, existsSync(path));
  if (reason) throw new Error(`${path} cannot be used as the message store's SQLite file: ${reason}`);
}

/** What a SQLite failure while opening means, by its code. */
const OPEN_FAILURES: Readonly<Record<string, string>> = {
  SQLITE_FULL: 'the disk is full (database or disk is full)',
  SQLITE_NOTADB: 'it is not a SQLite database, let alone a fleet-bus one (file is not a database)',
  SQLITE_CORRUPT: 'the file is corrupt (database disk image is malformed)',
  SQLITE_READONLY: 'SQLite may only read it (attempt to write a readonly database)',
  SQLITE_CANTOPEN: 'SQLite cannot open or create it (unable to open database file)',
  SQLITE_PERM: 'access was denied (access permission denied)',
};

/**
 * The error to throw for `error`, thrown while opening the bus's file at `path`: Fleet's own errors
 * and ones that name the file already as they are, a SQLite failure (`database or disk is full`)
 * as one line that names the file and says what went wrong.
 */
export function openFailure(path: string, error: unknown): unknown {
  if (!(error instanceof Error) || isFleetError(error) || error.message.includes(path)) return error;
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return error;
  const known = OPEN_FAILURES[code] ?? OPEN_FAILURES[code.replace(/_[A-Z]+$/, '')];
  let reason = known ?? `${error.message} (${code})`;
  if (code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_READONLY')) {
    const exists = existsSync(path);
    reason = readOnlyReason(path, exists) ?? (exists && statSync(path).isDirectory() ? 'it is a directory' : reason);
  }
  return new Error(`${path} cannot be used as the message store's SQLite file: ${reason}`, { cause: error });
}
