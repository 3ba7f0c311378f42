import { rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type Database from 'better-sqlite3';
import { afterEach, describe, expect, test } from 'vitest';
import { BUS_APPLICATION_ID, SCHEMA_VERSION } from '../src/bus/sqlite/schema.ts';
import { SqliteMessageStore } from '../src/bus/sqlite-store.ts';
import { KnowledgeDB } from '../src/knowledge/knowledge-db.ts';
import { SendInput } from '../src/schemas/message.ts';
import { expectRefusedUntouched } from './_sqlite-files.ts';
import { freshDatabasePath } from './_stores.ts';

const Driver = createRequire(import.meta.url)('better-sqlite3') as typeof Database;
const opened: SqliteMessageStore[] = [];

afterEach(async () => {
  for (const store of opened.splice(0)) await store.close();
});

function open(path: string): SqliteMessageStore {
  const store = new SqliteMessageStore({ path });
  opened.push(store);
  return store;
}

/** Writes a database with `sql` in SQLite's default rollback-journal mode, as another program would. */
function writeForeign(path: string, sql: string): void {
  const db = new Driver(path);
  db.exec(sql);
  db.close();
}

/** Opening `path` as the bus throws one line naming it, and leaves the file exactly as it was. */
const refusedUntouched = (path: string, message: RegExp) => expectRefusedUntouched(() => open(path), path, message);

describe('SqliteMessageStore refuses a file that is not a fleet-bus database, before writing to it', () => {
  test("another program's database with user_version 0 gets no bus tables, no version and no WAL", async () => {
    const path = freshDatabasePath();
    writeForeign(
      path,
      `CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO users (name) VALUES ('ada');`,
    );
    await refusedUntouched(path, /is not a fleet-bus database/);
  });

  test('a database at user_version 3 with its own agents table keeps it: migration 4 does not run', async () => {
    const path = freshDatabasePath();
    writeForeign(path, `CREATE TABLE agents (name TEXT PRIMARY KEY, role TEXT); PRAGMA user_version = 3;`);
    await refusedUntouched(path, /is not a fleet-bus database/);
    const db = new Driver(path, { readonly: true });
    expect((db.pragma('table_info(agents)') as { name: string }[]).map((c) => c.name)).toEqual(['name', 'role']);
    db.close();
  });

  test('a database with a messages table of its own is refused, not half-created', async () => {
    const path = freshDatabasePath();
    writeForeign(path, 'CREATE TABLE messages (id INTEGER PRIMARY KEY, body TEXT);');
    await refusedUntouched(path, /is not a fleet-bus database/);
  });

  test("another program's database at a version above the bus's is called foreign, not newer", async () => {
    const path = freshDatabasePath();
    writeForeign(path, 'CREATE TABLE t (x); PRAGMA user_version = 7;');
    const message = await refusedUntouched(path, /is not a fleet-bus database/);
    expect(message).not.toMatch(/newer/);
  });

  test('a fleet-knowledge database is refused as one', async () => {
    const path = freshDatabasePath();
    const knowledge = new KnowledgeDB({ path });
    await knowledge.close();
    const db = new Driver(path);
    db.pragma('journal_mode = DELETE');
    db.close();
    rmSync(`${path}-lock`, { force: true });
    await refusedUntouched(path, /is not a fleet-bus database.*fleet-knowledge/);
  });

  test('a file that is not a SQLite database at all is refused, naming the file', async () => {
    const path = freshDatabasePath();
    writeFileSync(path, 'just some text, not a database\n'.repeat(200));
    await refusedUntouched(path, /not a (SQLite|fleet-bus) database/);
  });

  test('a bus file of a newer schema version is refused with both versions, journal mode untouched', async () => {
    const path = freshDatabasePath();
    const store = open(path);
    await store.send(SendInput.parse({ from: 'a', to: 'b', payload: 1 }));
    await store.close();
    const db = new Driver(path);
    db.pragma('journal_mode = DELETE');
    db.pragma(`user_version = ${SCHEMA_VERSION + 95}`);
    db.close();
    // The lock file the bus leaves (empty, no data) is not part of the database.
    rmSync(`${path}-lock`, { force: true });
    const message = await refusedUntouched(path, /newer/);
    expect(message).toContain(String(SCHEMA_VERSION + 95));
    expect(message).toContain(`(${SCHEMA_VERSION})`);
  });
});

describe('SqliteMessageStore marks its own files', () => {
  test('a new file gets the bus application_id and the current schema version', async () => {
    const path = freshDatabasePath();
    await open(path).close();
    const db = new Driver(path, { readonly: true });
    expect(db.pragma('application_id', { simple: true })).toBe(BUS_APPLICATION_ID);
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    db.close();
  });

  test('an unmarked bus file of an older version is recognised by its tables, migrated and marked', async () => {
    const path = freshDatabasePath();
    const store = open(path);
    await store.send(SendInput.parse({ from: 'a', to: 'b', payload: 1 }));
    await store.close();
    // As version 3 wrote it: no application_id, no agents.last_seen, rollback journal.
    const db = new Driver(path);
    db.exec('DROP INDEX agents_last_seen; ALTER TABLE agents DROP COLUMN last_seen');
    db.pragma('application_id = 0');
    db.pragma('user_version = 3');
    db.pragma('journal_mode = DELETE');
    db.close();
    const reopened = open(path);
    expect((await reopened.stats()).totals.ready).toBe(1);
    expect(reopened.settings().schemaVersion).toBe(SCHEMA_VERSION);
    await reopened.close();
    const after = new Driver(path, { readonly: true });
    expect(after.pragma('application_id', { simple: true })).toBe(BUS_APPLICATION_ID);
    after.close();
  });
});
