import { existsSync, statSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { isFleetError } from '../../errors.ts';
import { identifySqliteFile, type SqliteFileKind } from '../../internal/sqlite-file-kind.ts';
import { readOnlyReason } from '../../internal/sqlite-writable.ts';
import { BUS_APPLICATION_ID, SCHEMA_VERSION, tablesOfVersion } from './schema.ts';

/** The bus's files: marked `FLBU`; unmarked ones of versions 1 to 4 have exactly that version's tables. */
function busFileKind(): SqliteFileKind {
  return {
    name: 'fleet-bus',
    schema: 'message store',
    applicationId: BUS_APPLICATION_ID,
    version: SCHEMA_VERSION,
    tables: tablesOfVersion(SCHEMA_VERSION),
    isUnmarkedOwn: (tables, version) => sameTables(tables, tablesOfVersion(version)),
  };
}

/** Whether `tables` (sorted) are exactly `expected` (sorted). */
const sameTables = (tables: readonly string[], expected: readonly string[]) =>
  tables.length === expected.length && tables.every((name, i) => name === expected[i]);

/**
 * Tells, by reading only, whether the file open in `db` is the bus's to use, and throws one line
 * naming it when not ({@link identifySqliteFile}): accepted are a new file, one marked with
 * {@link BUS_APPLICATION_ID} of this version or older, and an unmarked file whose `user_version`
 * (1 to {@link SCHEMA_VERSION}) and tables are exactly those of a bus file of that version
 * (written before the mark existed).
 */
export function identifyBusFile(db: Database.Database, path: string): void {
  identifySqliteFile(db, path, busFileKind());
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
