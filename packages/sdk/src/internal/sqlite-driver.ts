import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type Database from 'better-sqlite3';

/** The better-sqlite3 constructor, loaded on first use. */
export type SqliteDriver = typeof Database;

let driver: SqliteDriver | undefined;

/**
 * Loads better-sqlite3, an optional peer dependency: only the SQLite store needs it, so clients
 * and memory-store users never load a native module.
 */
export function loadDriver(): SqliteDriver {
  if (driver) return driver;
  try {
    driver = createRequire(import.meta.url)('better-sqlite3') as SqliteDriver;
    return driver;
  } catch (error) {
    const missing = (error as { code?: unknown }).code === 'MODULE_NOT_FOUND';
    throw new Error(
      missing
        ? 'install better-sqlite3 to use the SQLite store (npm install better-sqlite3)'
        : `better-sqlite3 is installed but failed to load (rebuild it for this Node version): ${(error as Error).message}`,
      { cause: error },
    );
  }
}

/**
 * Opens the SQLite file at `path` (or `':memory:'`), creating its directory when missing, and
 * runs `setup` on it (pragmas, migrations, statements); closes the file again when `setup` throws.
 * An empty `path` is refused (a TypeError).
 */
export function openDatabase<T>(
  path: string,
  setup: (db: Database.Database) => T,
): { db: Database.Database; value: T } {
  // better-sqlite3 opens an empty path as a private temporary database, deleted on close: a store
  // would acknowledge writes and lose them all.
  if (path.trim() === '') {
    throw new TypeError("A SQLite database path must not be empty: give a file, or ':memory:' for one in memory");
  }
  const Driver = loadDriver();
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Driver(path);
  try {
    return { db, value: setup(db) };
  } catch (error) {
    db.close();
    throw error;
  }
}
