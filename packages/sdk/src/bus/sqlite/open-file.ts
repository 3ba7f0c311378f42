import type Database from 'better-sqlite3';
import { type FileLock, lockDatabaseFile, NO_FILE_LOCK } from '../../internal/sqlite-file-lock.ts';
import { openStoreFile } from '../../internal/sqlite-store-file.ts';
import { configure, type Durability } from './connection-settings.ts';
import { busFileKind } from './open-checks.ts';
import { migrate } from './schema.ts';
import { prepareStatements, type Statements } from './statements.ts';

/** The message store's file, open, checked, claimed, configured and migrated. */
export interface OpenedBusFile {
  db: Database.Database;
  sql: Statements;
  /** This store's claim on the file, released when it closes. */
  lock: FileLock;
}

/** The refusal of a second message store on one file. */
const busInUse = (path: string) =>
  `${path} is open already, in another SQLite message store (of this process or another, e.g. a second fleet-bus server): one SQLite file serves one bus process at a time`;

/**
 * Opens the message store's SQLite file at `path` (creating it and its directory when missing), in
 * this order, so that a file that is not the bus's to use is left exactly as it was:
 * 1. refuses a file this process cannot write, which SQLite would open read-only;
 * 2. refuses, reading only, a file that is not a fleet-bus database or is of a newer version
 *    (both `openStoreFile`, with {@link busFileKind});
 * 3. claims the file for this store (`lockDatabaseFile`: FleetError('conflict') while another store,
 *    in this process or another, has it);
 * 4. only then writes: WAL and the other settings (`configure`), the migrations (`migrate`).
 * Every refusal is one line naming the file; a SQLite failure on the way (a full disk) is reworded
 * to name it too. Closes the file and lets the claim go when any step fails.
 */
export function openBusFile(path: string, durability: Durability, now: number): OpenedBusFile {
  const { db, value } = openStoreFile(path, busFileKind(), (opened) => {
    const lock = opened.memory ? NO_FILE_LOCK : lockDatabaseFile(path, busInUse);
    try {
      configure(opened, durability);
      migrate(opened, now);
      return { sql: prepareStatements(opened), lock };
    } catch (error) {
      lock.release();
      throw error;
    }
  });
  return { db, ...value };
}
