import { readFileSync } from 'node:fs';
import type Database from 'better-sqlite3';

/** The `meta` key of the mark an open database file carries: the boot of the machine it was opened in. */
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
 * Whether the last commits of the database file may have been lost: the process that had it open
 * before did not close it ({@link markOpen} is there), and the machine rebooted since (a power
 * loss or a kernel crash; where the boot cannot be told, any such open). A process that dies
 * without a reboot loses nothing: the OS has its writes.
 *
 * With `synchronous = NORMAL`, a commit is on disk only at the next WAL sync, so a machine that
 * dies may lose the last ones, pushes from peers that this node acknowledged among them. The
 * caller then voids every earlier feed (`voidEarlierFeeds`), so every peer resyncs and pushes its
 * whole feed again. False for `:memory:` (it has no past).
 */
export function mayHaveLostCommits(db: Database.Database, bootId = currentBootId()): boolean {
  if (db.memory) return false;
  const row = db.prepare('SELECT value FROM meta WHERE key = ?').get(OPEN_IN_BOOT) as { value: unknown } | undefined;
  return typeof row?.value === 'string' && (row.value !== bootId || bootId === 'unknown');
}

/**
 * Marks the database file open in this boot of the machine, durably (`synchronous = FULL`, which
 * also puts every earlier commit on disk): once per open, after any loss was handled, so a crash
 * between the two finds the old mark again. Nothing for `:memory:`.
 */
export function markOpen(db: Database.Database, bootId = currentBootId()): void {
  if (db.memory) return;
  durably(db, () => db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run(OPEN_IN_BOOT, bootId));
}

/** Marks the database file closed cleanly (durably): the next open knows nothing was lost. */
export function markClosed(db: Database.Database): void {
  if (db.memory || !db.open) return;
  durably(db, () => db.prepare('DELETE FROM meta WHERE key = ?').run(OPEN_IN_BOOT));
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
