import { MemoryMessageStore } from './memory-store.ts';
import type { MessageStore } from './message-store.ts';
import { SqliteMessageStore, type SqliteMessageStoreOptions } from './sqlite-store.ts';

/**
 * Opens the store a path names: `':memory:'` gives a {@link MemoryMessageStore} (nothing persists),
 * anything else a {@link SqliteMessageStore} in that file.
 *
 * @example
 * const store = openMessageStore(process.env.FLEET_BUS_DB ?? ':memory:', { durability: 'fsync' });
 */
export function openMessageStore(path: string, options: Omit<SqliteMessageStoreOptions, 'path'> = {}): MessageStore {
  if (path === ':memory:') {
    const { durability: _durability, ...memoryOptions } = options;
    return new MemoryMessageStore(memoryOptions);
  }
  return new SqliteMessageStore({ ...options, path });
}
