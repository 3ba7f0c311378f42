import { MemoryMessageStore } from './memory-store.ts';
import type { MessageStore } from './message-store.ts';
import { PostgresMessageStore, type PostgresMessageStoreOptions } from './postgres-store.ts';
import { SqliteMessageStore, type SqliteMessageStoreOptions } from './sqlite-store.ts';

/** Options of {@link openMessageStore}: each backend takes the ones that apply to it. */
export type OpenMessageStoreOptions = Omit<SqliteMessageStoreOptions, 'path'> &
  Pick<PostgresMessageStoreOptions, 'poolSize'>;

/** Whether `db` names a PostgreSQL database (`postgres://...` or `postgresql://...`). */
function isPostgresUrl(db: string): boolean {
  return /^postgres(?:ql)?:\/\//i.test(db);
}

/**
 * Opens the store `db` names: `':memory:'` gives a {@link MemoryMessageStore} (nothing persists),
 * a `postgres://` or `postgresql://` URL a {@link PostgresMessageStore} in that database, anything
 * else a {@link SqliteMessageStore} in that file.
 *
 * @example
 * const store = openMessageStore(process.env.FLEET_BUS_DB ?? ':memory:', { durability: 'fsync' });
 */
export function openMessageStore(db: string, options: OpenMessageStoreOptions = {}): MessageStore {
  const { durability, poolSize, ...common } = options;
  if (db === ':memory:') return new MemoryMessageStore(common);
  if (isPostgresUrl(db)) {
    return new PostgresMessageStore({ ...common, url: db, ...(poolSize === undefined ? {} : { poolSize }) });
  }
  return new SqliteMessageStore({ ...common, path: db, ...(durability === undefined ? {} : { durability }) });
}
