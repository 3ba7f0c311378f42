import type Database from 'better-sqlite3';

/** One schema migration: brings a database from version N to N + 1. */
export type Migration = (db: Database.Database) => void;

/** Options of {@link runMigrations}. */
export interface RunMigrationsOptions {
  /**
   * `PRAGMA application_id` to mark the file with, in the same transaction as the migrations (and
   * on a current file that lacks it), so a later open can tell this store's files from others.
   */
  applicationId?: number;
}

/**
 * Brings a database to `migrations.length`, all pending migrations in ONE write-locked transaction
 * that also records the version in `PRAGMA user_version`: a migration that fails leaves the file at
 * the version it had. The version is read inside that transaction, so two processes opening the
 * same new file do not both create the schema. Refuses a database written by a newer version of the
 * SDK, naming the file. `label` names the store in that error.
 */
export function runMigrations(
  db: Database.Database,
  migrations: readonly Migration[],
  label: string,
  options: RunMigrationsOptions = {},
): void {
  const target = migrations.length;
  const { applicationId } = options;
  const current = () => db.pragma('user_version', { simple: true }) as number;
  const marked = () =>
    applicationId === undefined || (db.pragma('application_id', { simple: true }) as number) === applicationId;
  const refuseNewer = (version: number) => {
    if (version > target) {
      throw new Error(
        `${db.name} has ${label} schema version ${version}, newer than this SDK supports (${target}); upgrade @fleet/sdk`,
      );
    }
  };
  // Read before taking the write lock: a newer file is refused, and an up-to-date one (every open
  // but the first) is left alone, without a write.
  const found = current();
  refuseNewer(found);
  if (found === target && marked()) return;
  db.transaction(() => {
    const version = current();
    refuseNewer(version);
    for (let step = version; step < target; step++) migrations[step]!(db);
    if (version !== target) db.pragma(`user_version = ${target}`);
    if (!marked()) db.pragma(`application_id = ${applicationId}`);
  }).immediate();
}
