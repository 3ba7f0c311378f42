/**
 * `@fleet/sdk/stores`: the stores and their replication, for servers and for programs that embed
 * one. The message stores (`MemoryMessageStore`, `SqliteMessageStore`, `PostgresMessageStore`)
 * with long polling and the message stream, the knowledge store (`KnowledgeDB`) with its hybrid
 * logical clock, and the `SyncEngine` that federates knowledge nodes.
 *
 * The SQLite stores load `better-sqlite3`, an optional peer dependency, when they are constructed:
 * `npm install better-sqlite3@12`. The PostgreSQL store loads `pg`, another optional peer
 * dependency, the same way: `npm install pg@8`.
 */

// Message stores
export { MemoryMessageStore } from '../bus/memory-store.ts';
export { SqliteMessageStore } from '../bus/sqlite-store.ts';
export { PostgresMessageStore } from '../bus/postgres-store.ts';
export { openMessageStore } from '../bus/open-store.ts';
export { leaseWithWait, waitForMessage } from '../bus/long-poll.ts';
export { streamMessages } from '../bus/message-stream.ts';
export { type Sweeper, type SweeperOptions, startSweeper } from '../bus/sweeper.ts';

// Knowledge store and replication
export { KnowledgeDB } from '../knowledge/knowledge-db.ts';
export { compareVersions, formatHlc, HybridLogicalClock, parseHlc } from '../knowledge/hlc.ts';
export { SyncEngine } from '../knowledge/sync-engine.ts';
export { watchChanges } from '../knowledge/watch-changes.ts';

// Types
export type { LeaseRequest, MessageStore, MessageStoreOptions } from '../bus/message-store.ts';
export type { SqliteMessageStoreOptions } from '../bus/sqlite-store.ts';
export type { PostgresMessageStoreOptions } from '../bus/postgres-store.ts';
export type { OpenMessageStoreOptions } from '../bus/open-store.ts';
export type { SqliteSettings } from '../bus/sqlite/connection-settings.ts';
export type { EncodedJson } from '../contract/encoded-json.ts';
export type { StreamMessagesOptions } from '../bus/message-stream.ts';
export type {
  AddPeerOptions,
  ChangeListener,
  ChangesOptions,
  GcResult,
  KnowledgeDBOptions,
  KnowledgeStats,
  PeerState,
  SyncOutcome,
} from '../knowledge/knowledge-db.ts';
export type { HlcTimestamp, VersionedState } from '../knowledge/hlc.ts';
export type { SyncBackoffOptions, SyncEngineOptions, SyncLogger } from '../knowledge/sync/options.ts';
export type { ChangeSource, WatchChangesOptions } from '../knowledge/watch-changes.ts';
