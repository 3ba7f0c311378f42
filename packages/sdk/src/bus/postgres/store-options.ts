import type { MessageStoreOptions } from '../message-store.ts';

/** Options of `PostgresMessageStore`. */
export interface PostgresMessageStoreOptions extends MessageStoreOptions {
  /**
   * The database, as a connection URL. The store creates its tables on first use (versioned
   * migrations in `schema_migrations`).
   * @example 'postgres://fleet:secret@db.internal:5432/fleet_bus'
   */
  url: string;
  /**
   * Most connections the store opens at once (a value under 4 counts as 4): two run the statements
   * that combine concurrent sends, leases and acks, the others everything else (at least 2: a sweep
   * holds one for its advisory lock while its parts run on another); plus one outside the pools for
   * LISTEN/NOTIFY. @default 10
   */
  poolSize?: number;
}
