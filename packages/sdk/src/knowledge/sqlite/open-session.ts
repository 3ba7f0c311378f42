import { readFileSync } from 'node:fs';
import type Database from 'better-sqlite3';
import type { Statements } from './statements.ts';

/** The `meta` key of the mark an open database carries: the boot of the machine it was opened in. */
const OPEN_IN_BOOT = 'open_in_boot';

/** Where Linux tells this boot of the machine apart from every other. */
const BOOT_ID_FILE = '/proc/sys/kernel/random/boot_id';

/** The id of this boot of the machine, or `'unknown'` where the system does not tell (not Linux). */
export function currentBootId(): string {
  try {
    return readFileSync(BOOT_ID_FILE, 'utf8').trim() || 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * Marks the database open in this boot of the machine, durably, and says whether its last commits
 * may have been lost: when the process that had it open before did not close it, and the machine
 * rebooted since (a power loss or a kernel crash; where the boot cannot be told, any such open).
 *
 * With `synchronous = NORMAL`, a commit is on disk only at the next WAL sync: a process that dies
 * loses nothing (the OS has its writes), a machine that dies may lose the last commits, and the
 * feed positions they had are then given again to new changes. A peer that pulled past them would
 * skip those. The caller makes a new feed id when this returns true, so every peer resyncs.
 *
 * A file database only (`:memory:` has no past). The two marks are written with
 * `synchronous = FULL`: once per open and once per close.
 */
export function beginOpenSession(db: Database.Database, sql: Statements, bootId = currentBootId()): boolean {
  if (db.memory) return false;
  const previous = sql.getMeta.get(OPEN_IN_BOOT)?.value;
  const mayHaveLost = typeof previous === 'string' && (previous !== bootId || bootId === 'unknown');
  durably(db, () => sql.setMeta.run(OPEN_IN_BOOT, bootId));
  return mayHaveLost;
}

/** Marks the database closed cleanly (durably): the next open knows nothing was lost. */
export function endOpenSession(db: Database.Database, sql: Statements): void {
  if (db.memory || !db.open) return;
  durably(db, () => sql.deleteMeta.run(OPEN_IN_BOOT));
}

/** Runs one write with `synchronous = FULL`: it and every commit before it are on disk when it returns. */
function durably(db: Database.Database, write: () => unknown): void {
  db.pragma('synchronous = FULL');
  try {
    write();
  } finally {
    db.pragma('synchronous = NORMAL');
  }
}
