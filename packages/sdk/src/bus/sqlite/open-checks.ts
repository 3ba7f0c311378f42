import type Database from 'better-sqlite3';
import { identifySqliteFile, type SqliteFileKind } from '../../internal/sqlite-file-kind.ts';
import { BUS_APPLICATION_ID, SCHEMA_VERSION, tablesOfVersion } from './schema.ts';

/** The bus's files: marked `FLBU`; unmarked ones of versions 1 to 4 have exactly that version's tables. */
export function busFileKind(): SqliteFileKind {
  return {
    name: 'fleet-bus',
    schema: 'message store',
    store: 'message store',
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
