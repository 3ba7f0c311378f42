import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryMessageStore } from '../src/bus/memory-store.ts';
import type { MessageStore, MessageStoreOptions } from '../src/bus/message-store.ts';
import { SqliteMessageStore } from '../src/bus/sqlite-store.ts';

let sqliteDir: string | undefined;
let sqliteFiles = 0;

/** A fresh database path in a temp directory that is removed when the test process exits. */
export function freshDatabasePath(): string {
  if (!sqliteDir) {
    const dir = mkdtempSync(join(tmpdir(), 'fleet-store-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    sqliteDir = dir;
  }
  sqliteFiles += 1;
  return join(sqliteDir, `store-${sqliteFiles}.db`);
}

/** Creates a fresh, empty store with the given options. */
export type StoreFactory = (options: MessageStoreOptions) => MessageStore | Promise<MessageStore>;

/**
 * Every MessageStore backend the behaviour suite (message-store.test.ts) runs against. Each call
 * must return a new, empty store; the suite closes it after the test.
 */
export const storeFactories: Array<[name: string, create: StoreFactory]> = [
  ['memory', (options) => new MemoryMessageStore(options)],
  ['sqlite', (options) => new SqliteMessageStore({ ...options, path: freshDatabasePath() })],
];
