import { rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type Database from 'better-sqlite3';
import { describe, expect, test } from 'vitest';
import { AlertOutbox } from '../../src/alerts/alert-outbox.ts';
import { SqliteMessageStore } from '../../src/bus/sqlite-store.ts';
import {
  ALERT_OUTBOX_FILE_ID,
  KNOWLEDGE_FILE_ID,
  listTables,
  MONITOR_FILE_ID,
} from '../../src/internal/sqlite-file-kind.ts';
import { KnowledgeDB } from '../../src/knowledge/knowledge-db.ts';
import { FleetMonitor } from '../../src/monitor/fleet-monitor.ts';
import { expectRefusedUntouched } from '../_sqlite-files.ts';
import { freshDatabasePath } from '../_stores.ts';

const Driver = createRequire(import.meta.url)('better-sqlite3') as typeof Database;

/** Each Fleet store that keeps a SQLite file: how to open (and close) one on a path. */
const STORES = {
  'fleet-bus': async (path: string) => new SqliteMessageStore({ path }).close(),
  'fleet-knowledge': async (path: string) => new KnowledgeDB({ path }).close(),
  'fleet monitor history': async (path: string) => new FleetMonitor({ targets: [], dbPath: path }).close(),
  'fleet alert outbox': async (path: string) => new AlertOutbox({ dbPath: path, channels: {} }).close(),
} as const;
type StoreName = keyof typeof STORES;

/** The three stores this test is about (the bus has its own, sqlite-store-open-foreign.test.ts). */
const CHECKED = [
  { name: 'fleet-knowledge', schema: 'knowledge', store: 'knowledge store', applicationId: KNOWLEDGE_FILE_ID },
  { name: 'fleet monitor history', schema: 'monitor', store: 'monitor history', applicationId: MONITOR_FILE_ID },
  { name: 'fleet alert outbox', schema: 'alert outbox', store: 'alert outbox', applicationId: ALERT_OUTBOX_FILE_ID },
] as const satisfies ReadonlyArray<{ name: StoreName; schema: string; store: string; applicationId: number }>;

/** A file as `store` leaves it, then in SQLite's default journal mode without the store's lock file. */
async function fileOf(store: StoreName): Promise<string> {
  const path = freshDatabasePath();
  await STORES[store](path);
  const db = new Driver(path);
  db.pragma('journal_mode = DELETE');
  db.close();
  rmSync(`${path}-lock`, { force: true });
  return path;
}

function withDatabase<T>(path: string, use: (db: Database.Database) => T): T {
  const db = new Driver(path);
  try {
    return use(db);
  } finally {
    db.close();
  }
}

/** Opening `path` as `store` throws one line naming it, and leaves the file exactly as it was. */
const refusedUntouched = (store: StoreName, path: string, message: RegExp) =>
  expectRefusedUntouched(() => STORES[store](path), path, message);

describe.each(CHECKED)('$name refuses a file that is not its own, before writing to it', (kind) => {
  test("another program's database gets no tables, no version and no WAL", async () => {
    const path = freshDatabasePath();
    withDatabase(path, (db) =>
      db.exec("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO users (name) VALUES ('ada');"),
    );
    await refusedUntouched(kind.name, path, new RegExp(`is not a ${kind.name} database: it has tables users`));
  });

  test("another program's database at this store's version is not taken for one", async () => {
    const path = freshDatabasePath();
    withDatabase(path, (db) => db.exec('CREATE TABLE meta (k, v); CREATE TABLE targets (x); PRAGMA user_version = 3;'));
    await refusedUntouched(kind.name, path, new RegExp(`is not a ${kind.name} database`));
  });

  test.each(Object.keys(STORES).filter((other) => other !== kind.name) as StoreName[])(
    "%s's file is refused as one",
    async (other) => {
      const path = await fileOf(other);
      const tables = withDatabase(path, listTables);
      await refusedUntouched(
        kind.name,
        path,
        new RegExp(`is not a ${kind.name} database \\(it looks like a ${other} database\\)`),
      );
      expect(withDatabase(path, listTables)).toEqual(tables);
    },
  );

  test('a file that is not a SQLite database at all is refused in one line naming the file', async () => {
    const path = freshDatabasePath();
    writeFileSync(path, 'just some text, not a database\n'.repeat(200));
    await refusedUntouched(
      kind.name,
      path,
      new RegExp(
        `cannot be used as the ${kind.store}'s SQLite file: it is not a SQLite database, let alone a ${kind.name} one`,
      ),
    );
  });

  test('its own file of a newer version is refused with both versions', async () => {
    const path = await fileOf(kind.name);
    const version = withDatabase(path, (db) => db.pragma('user_version', { simple: true }) as number);
    withDatabase(path, (db) => db.pragma(`user_version = ${version + 7}`));
    const text = await refusedUntouched(
      kind.name,
      path,
      new RegExp(`has ${kind.schema} schema version ${version + 7}, newer`),
    );
    expect(text).toContain(`(${version})`);
  });

  test('a new file is marked with its application_id; an unmarked one of its own is accepted and marked', async () => {
    const path = await fileOf(kind.name);
    expect(withDatabase(path, (db) => db.pragma('application_id', { simple: true }))).toBe(kind.applicationId);
    // As an SDK before the mark wrote it.
    withDatabase(path, (db) => db.pragma('application_id = 0'));
    await STORES[kind.name](path);
    expect(withDatabase(path, (db) => db.pragma('application_id', { simple: true }))).toBe(kind.applicationId);
  });
});
