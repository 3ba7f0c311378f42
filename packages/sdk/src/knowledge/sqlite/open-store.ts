import type Database from 'better-sqlite3';
import { type FileLock, lockDatabaseFile, NO_FILE_LOCK } from '../../internal/sqlite-file-lock.ts';
import { openStoreFile } from '../../internal/sqlite-store-file.ts';
import { markOpen, mayHaveLostCommits } from './boot-mark.ts';
import { FactQueries } from './fact-query.ts';
import { FactWriter } from './fact-writer.ts';
import { FeedHistory, voidEarlierFeeds } from './feed-history.ts';
import { prepareGc } from './gc.ts';
import { type Identity, initIdentity } from './identity.ts';
import { NodeRegistry } from './nodes.ts';
import { PeerBook } from './peer-book.ts';
import { configure, KNOWLEDGE_FILE, migrate } from './schema.ts';
import { prepareStatements, type Statements } from './statements.ts';

/** An opened, migrated knowledge database file with its prepared statements and identity. */
export interface OpenedStore extends Identity {
  db: Database.Database;
  /** This instance's hold on the file ({@link lockDatabaseFile}), released when it closes. */
  lock: FileLock;
  sql: Statements;
  nodes: NodeRegistry;
  queries: FactQueries;
  peers: PeerBook;
  feeds: FeedHistory;
  writer: FactWriter;
  gc: ReturnType<typeof prepareGc>;
}

/** The refusal of a second KnowledgeDB on one file. */
const knowledgeInUse = (path: string) =>
  `${path} is open already, in another KnowledgeDB (of this process or another, e.g. a second fleet-knowledge server): one database file serves one node at a time`;

/**
 * Opens (creating the directory and the file when needed) the database at `path`, refusing in one
 * line naming it a file this process could only read or that is not a knowledge database, claims it for
 * this instance ({@link lockDatabaseFile}: FleetError('conflict') while another holds it), migrates
 * it (when a reboot may have lost its last commits, {@link voidEarlierFeeds}), prepares its
 * statements, reads or stores its identity, starting this open's feed ({@link initIdentity}), and
 * marks it open in this boot of the machine ({@link markOpen}). Closes the file and lets it go again
 * when any step fails.
 */
export function openStore(path: string, nodeId: string | undefined): OpenedStore {
  return openStoreFile(path, KNOWLEDGE_FILE, (db) => {
    // Before anything else reads or writes the file.
    const lock = db.memory ? NO_FILE_LOCK : lockDatabaseFile(path, knowledgeInUse);
    try {
      configure(db);
      migrate(db);
      // Before this open's feed: every cursor given out before a loss must be refused.
      if (mayHaveLostCommits(db)) voidEarlierFeeds(db);
      const sql = prepareStatements(db);
      const nodes = new NodeRegistry(sql);
      const queries = new FactQueries(db, nodes);
      const peers = new PeerBook(sql);
      const feeds = new FeedHistory(db);
      const writer = new FactWriter(sql);
      const gc = prepareGc(db);
      const identity = initIdentity(db, sql, nodes, nodeId);
      // Last: an open that fails (a node id that is not this file's) leaves no mark that a later
      // reboot would take for an unclean stop. A crash before it keeps an older mark, so the
      // next open voids again.
      markOpen(db);
      return { db, lock, sql, nodes, queries, peers, feeds, writer, gc, ...identity };
    } catch (error) {
      lock.release();
      throw error;
    }
  }).value;
}
