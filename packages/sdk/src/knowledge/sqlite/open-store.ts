import type Database from 'better-sqlite3';
import { openDatabase } from '../../internal/sqlite-driver.ts';
import { FactQueries } from './fact-query.ts';
import { FactWriter } from './fact-writer.ts';
import { prepareGc } from './gc.ts';
import { type Identity, initIdentity } from './identity.ts';
import { NodeRegistry } from './nodes.ts';
import { beginOpenSession } from './open-session.ts';
import { PeerBook } from './peer-book.ts';
import { configure, migrate } from './schema.ts';
import { prepareStatements, type Statements } from './statements.ts';

/** An opened, migrated knowledge database file with its prepared statements and identity. */
export interface OpenedStore extends Identity {
  db: Database.Database;
  sql: Statements;
  nodes: NodeRegistry;
  queries: FactQueries;
  peers: PeerBook;
  writer: FactWriter;
  gc: ReturnType<typeof prepareGc>;
}

/**
 * Opens (creating the directory and the file when needed) and migrates the database at `path`,
 * prepares its statements, marks it open ({@link beginOpenSession}: a new feed id when a reboot
 * may have lost its last commits) and reads or stores its identity ({@link initIdentity}). Closes
 * the file again when any step fails.
 */
export function openStore(path: string, nodeId: string | undefined): OpenedStore {
  return openDatabase(path, (db) => {
    configure(db);
    migrate(db);
    const sql = prepareStatements(db);
    const nodes = new NodeRegistry(sql);
    const queries = new FactQueries(db, nodes);
    const peers = new PeerBook(sql);
    const writer = new FactWriter(sql);
    const gc = prepareGc(db);
    // Before the identity: a reboot may have lost the last commits, and with them feed positions.
    const renewFeed = beginOpenSession(db, sql);
    return { db, sql, nodes, queries, peers, writer, gc, ...initIdentity(db, sql, nodes, nodeId, renewFeed) };
  }).value;
}
