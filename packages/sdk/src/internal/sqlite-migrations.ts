import type Database from 'better-sqlite3';

/** One schema migration: brings a database from version N to N + 1. */
export type Migration = (db: Database.Database) => void;

/**
 * Brings a database to `migrations.length`, one migration per transaction, recording progress in
 * `PRAGMA user_version`. The version is read inside each write-locked transaction, so two processes
 * opening the same new file do not both create the schema. Refuses a database written by a newer
 * version of the SDK. `label` names the store in that error.
 */
export function runMigrations(db: Database.Database, migrations: readonly Migration[], label: string): void {
  const target = migrations.length;
  const step = db.transaction((): boolean => {
    const current = db.pragma('user_version', { simple: true }) as number;
    if (current > target) {
      throw new Error(
        `${db.name} has ${label} schema version ${current}, newer than this SDK supports (${target}); upgrade @fleet/sdk`,
      );
    }
    if (current === target) return true;
    migrations[current]!(db);
    db.pragma(`user_version = ${current + 1}`);
    return false;
  });
  while (!step.immediate()) {
    // one migration per transaction until the file is current
  }
}
