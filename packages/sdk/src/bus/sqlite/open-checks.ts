import type { SqliteFileKind } from '../../internal/sqlite-file-kind.ts';
import { BUS_APPLICATION_ID, SCHEMA_VERSION, tablesOfVersion } from './schema.ts';

/**
 * The bus's files (see `identifySqliteFile`): marked `FLBU`; unmarked ones of versions 1 to 4 (written
 * before the mark) have exactly that version's tables.
 */
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
