import type Database from 'better-sqlite3';

/** What tells one Fleet store's SQLite files from every other file. */
export interface SqliteFileKind {
  /** How messages name such a file, e.g. `fleet-knowledge` ("is not a fleet-knowledge database"). */
  name: string;
  /** How the newer-version refusal names its schema, e.g. `knowledge` ("has knowledge schema version 5"). */
  schema: string;
  /** The store, as refusals name the file's role, e.g. `knowledge store` ("cannot be used as the knowledge store's SQLite file"). */
  store: string;
  /** The `PRAGMA application_id` its files are marked with (four ASCII letters). */
  applicationId: number;
  /** The schema version this SDK writes. */
  version: number;
  /**
   * Tables a file of this kind always has, whatever its version: an unmarked file (written before
   * the mark existed) that has them all is taken for one, and a file of another kind is named by them.
   */
  tables: readonly string[];
  /**
   * Whether an unmarked file with these `tables` (sorted) at `version` (1 or more) is one of its
   * own; by default, when it has every table of {@link tables}.
   */
  isUnmarkedOwn?: (tables: readonly string[], version: number) => boolean;
}

/** `application_id` of four ASCII letters, as `sqlite3 file .dbinfo` shows it. */
const letters = (text: string) => Buffer.from(text, 'latin1').readInt32BE(0);

/** Fleet's message bus (`SqliteMessageStore`): `FLBU`. */
export const BUS_FILE_ID = letters('FLBU');
/** Fleet's knowledge store (`KnowledgeDB`): `FLKN`. */
export const KNOWLEDGE_FILE_ID = letters('FLKN');
/** Fleet's monitor history (`FleetMonitor`, the dashboard's file): `FLMO`. */
export const MONITOR_FILE_ID = letters('FLMO');
/** Fleet's alert outbox (`AlertOutbox`): `FLAO`. */
export const ALERT_OUTBOX_FILE_ID = letters('FLAO');

/** Every Fleet store's files, by mark and by the tables only they have: named when one is given as another's. */
const FLEET_FILES: ReadonlyArray<{ name: string; applicationId: number; tables: readonly string[] }> = [
  { name: 'fleet-bus', applicationId: BUS_FILE_ID, tables: ['messages', 'audit', 'queue_counts'] },
  { name: 'fleet-knowledge', applicationId: KNOWLEDGE_FILE_ID, tables: ['facts', 'peers'] },
  { name: 'fleet monitor history', applicationId: MONITOR_FILE_ID, tables: ['targets', 'probes'] },
  { name: 'fleet alert outbox', applicationId: ALERT_OUTBOX_FILE_ID, tables: ['pending', 'log'] },
];

/** The names (sorted) of a database's tables, SQLite's own left out. */
export function listTables(db: Database.Database): string[] {
  return db
    .prepare<[], string>(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
    )
    .pluck()
    .all();
}

/** The refusal of a file written by a newer SDK, in the words `runMigrations` uses. */
export function newerSchemaError(path: string, schema: string, found: number, supported: number): Error {
  return new Error(
    `${path} has ${schema} schema version ${found}, newer than this SDK supports (${supported}); upgrade @fleet/sdk`,
  );
}

function foreignFileError(
  path: string,
  kind: SqliteFileKind,
  tables: readonly string[],
  version: number,
  applicationId: number,
): Error {
  const other = FLEET_FILES.find(
    (file) =>
      file.name !== kind.name &&
      (file.applicationId === applicationId ||
        (applicationId === 0 && file.tables.every((table) => tables.includes(table)))),
  );
  const shown = tables.length > 6 ? [...tables.slice(0, 6), `and ${tables.length - 6} more`] : tables;
  const contents = tables.length === 0 ? 'no tables' : `tables ${shown.join(', ')}`;
  const marks = `user_version ${version}${applicationId === 0 ? '' : `, application_id ${applicationId}`}`;
  return new Error(
    `${path} is not a ${kind.name} database${other ? ` (it looks like a ${other.name} database)` : ''}: it has ${contents} (${marks}); ${kind.name} opens only a new or empty file or one of its own, and left this one untouched`,
  );
}

/**
 * Tells, by reading only, whether the file open in `db` is a `kind` file this SDK may use, and
 * throws one line naming `path` when not, before a byte of it (its journal mode included) changes.
 * Accepted: an empty database (new); a file marked with the kind's `application_id` at its version
 * or older; an unmarked file (written before the mark) at version 1 or more that `isUnmarkedOwn`
 * takes for one. Refused: a file of a newer version (naming both versions), anything else (another
 * program's database, another Fleet store's file, named as such) as not a `kind` database.
 */
export function identifySqliteFile(db: Database.Database, path: string, kind: SqliteFileKind): void {
  const tables = listTables(db);
  const empty = db.prepare('SELECT count(*) FROM sqlite_master').pluck().get() === 0;
  const version = db.pragma('user_version', { simple: true }) as number;
  const applicationId = db.pragma('application_id', { simple: true }) as number;
  const isOwn = kind.isUnmarkedOwn ?? ((found: readonly string[]) => kind.tables.every((t) => found.includes(t)));
  if (applicationId === kind.applicationId) {
    if (version > kind.version) throw newerSchemaError(path, kind.schema, version, kind.version);
    return;
  }
  if (applicationId === 0) {
    if (empty && version === 0) return;
    if (version >= 1 && version <= kind.version && isOwn(tables, version)) return;
    // From a newer SDK that had not marked it, or emptied with only its version left.
    if (version > kind.version && (empty || kind.tables.every((table) => tables.includes(table)))) {
      throw newerSchemaError(path, kind.schema, version, kind.version);
    }
  }
  throw foreignFileError(path, kind, tables, version, applicationId);
}
