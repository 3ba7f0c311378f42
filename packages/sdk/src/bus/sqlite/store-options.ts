import type { MessageStoreOptions } from '../message-store.ts';
import type { Durability } from './connection-settings.ts';

/** Options of `SqliteMessageStore`. */
export interface SqliteMessageStoreOptions extends MessageStoreOptions {
  /**
   * The database file, created (with its directory) when missing. `':memory:'` opens a private
   * in-memory database, which persists nothing.
   * @example './data/bus.db'
   */
  path: string;
  /**
   * `'normal'`: WAL with `synchronous = NORMAL`. A committed send survives the process being
   * killed (its WAL frames are in the OS page cache); the last commits can be lost on power loss.
   * `'fsync'`: `synchronous = FULL`, every commit is fsynced and survives power loss.
   * @default 'normal'
   */
  durability?: Durability;
}
