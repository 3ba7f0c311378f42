import { createRequire } from 'node:module';
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
