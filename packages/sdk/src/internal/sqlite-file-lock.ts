import { realpathSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { FleetError } from '../errors.ts';
import { loadDriver } from './sqlite-driver.ts';

/** The suffix of the file next to a database whose lock its open store holds. */
export const LOCK_FILE_SUFFIX = '-lock';

/** The hold one store (a KnowledgeDB, a SQLite message store) has on its database file, from open to close. */
export interface FileLock {
  /** Lets the file go (again: nothing). */
  release(): void;
}

/** The lock of a database that has no file (`:memory:`): there is nothing to share. */
export const NO_FILE_LOCK: FileLock = { release: () => undefined };

/**
 * Claims the database at `path` for one store instance: a KnowledgeDB keeps the feed position in
 * memory (a second instance on the same file would give its writes feed positions the peers have
 * already pulled past), a SQLite message store its queue counters and pending group commit. Throws
 * FleetError('conflict') with `inUse(path)` as its message while another instance holds it.
 *
 * The claim is SQLite's own exclusive lock on `<path>-lock`, a transaction left open for the life
 * of the instance. The operating system drops it with the process, however it dies (SIGKILL
 * included), so no stale claim outlives its owner. The database itself stays open to readers (a
 * hot backup, `sqlite3 -readonly`), which `PRAGMA locking_mode = EXCLUSIVE` on it would shut out.
 */
export function lockDatabaseFile(path: string, inUse: (path: string) => string): FileLock {
  const Driver = loadDriver();
  // timeout 0: a held lock refuses at once instead of after the 5 s busy wait.
  const lock = new Driver(`${canonicalPath(path)}${LOCK_FILE_SUFFIX}`, { timeout: 0 });
  try {
    // The lock file holds no data: no rollback journal next to it.
    lock.pragma('journal_mode = MEMORY');
    lock.exec('BEGIN EXCLUSIVE');
  } catch (error) {
    lock.close();
    if ((error as { code?: unknown }).code !== 'SQLITE_BUSY') throw error;
    throw new FleetError('conflict', inUse(path), { details: { field: 'path', path }, cause: error });
  }
  return { release: () => lock.close() };
}

/** The same name for the same file however it was reached (relative path, symlinked directory or file). */
function canonicalPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    // Not created yet: its directory exists (the caller opened the file in it).
    return join(realpathSync(dirname(path)), basename(path));
  }
}
