import type Database from 'better-sqlite3';
import { openDatabase } from './sqlite-driver.ts';
import { identifySqliteFile, type SqliteFileKind } from './sqlite-file-kind.ts';
import { assertWritable, openFailure } from './sqlite-open-failure.ts';

/**
 * Opens a Fleet store's SQLite file at `path` (or `':memory:'`, creating its directory when missing)
 * the way every store does: refuses a file this process could only read (`assertWritable`), then,
 * reading only, one that is not a `kind` file or is of a newer version (`identifySqliteFile`), and only
 * then runs `setup` (the store's claim, settings, migrations, statements), which may write. Every
 * refusal is one line naming the file; a SQLite failure on the way (`file is not a database`, a full
 * disk) is reworded to name it too (`openFailure`). Closes the file when any step fails.
 */
export function openStoreFile<T>(
  path: string,
  kind: SqliteFileKind,
  setup: (db: Database.Database) => T,
): { db: Database.Database; value: T } {
  try {
    return openDatabase(path, (db) => {
      if (!db.memory) assertWritable(path, kind);
      identifySqliteFile(db, path, kind);
      return setup(db);
    });
  } catch (error) {
    throw openFailure(path, error, kind);
  }
}
