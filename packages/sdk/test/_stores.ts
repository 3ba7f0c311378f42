import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasPostgres, startPostgres, type TestPostgres } from '@fleet/test-utils/postgres';
import pg from 'pg';
import { MemoryMessageStore } from '../src/bus/memory-store.ts';
import type { MessageStore, MessageStoreOptions } from '../src/bus/message-store.ts';
import { PostgresMessageStore } from '../src/bus/postgres-store.ts';
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

let postgres: Promise<{ server: TestPostgres; url: string; admin: pg.Client }> | undefined;
let postgresSchemas = 0;

async function startCluster() {
  const server = await startPostgres();
  const url = await server.createDatabase('stores');
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  return { server, url, admin };
}

/**
 * A fresh, empty schema (the URL selects it with `search_path`) in ONE throwaway PostgreSQL
 * cluster per test file, started on first use and killed when the test process exits. A schema
 * takes a millisecond where a database takes a tenth of a second.
 */
export async function freshPostgresUrl(): Promise<string> {
  postgres ??= startCluster();
  const { url, admin } = await postgres;
  const schema = `store_${++postgresSchemas}`;
  await admin.query(`CREATE SCHEMA ${schema}`);
  return `${url}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
}

/** Creates a fresh, empty store with the given options. */
export type StoreFactory = (options: MessageStoreOptions) => MessageStore | Promise<MessageStore>;

/**
 * Every MessageStore backend the behaviour suite (message-store.test.ts) runs against. Each call
 * must return a new, empty store; the suite closes it after the test. PostgreSQL is left out,
 * loudly (or failing with FLEET_REQUIRE_SYSTEM_DEPS=1), when it is not installed.
 */
export const storeFactories: Array<[name: string, create: StoreFactory]> = [
  ['memory', (options) => new MemoryMessageStore(options)],
  ['sqlite', (options) => new SqliteMessageStore({ ...options, path: freshDatabasePath() })],
  ...(hasPostgres()
    ? [
        [
          'postgres',
          async (options: MessageStoreOptions) =>
            PostgresMessageStore.open({ ...options, url: await freshPostgresUrl(), poolSize: 4 }),
        ] as [string, StoreFactory],
      ]
    : []),
];
