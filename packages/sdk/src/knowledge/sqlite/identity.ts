import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { FleetError } from '../../errors.ts';
import { checkNodeId, generateNodeId } from '../internal/node-id.ts';
import type { NodeRegistry } from './nodes.ts';
import type { Statements } from './statements.ts';

/** Who a knowledge database belongs to, fixed when the file was created. */
export interface Identity {
  /** This node's stable id: the `source` of its writes. */
  nodeId: string;
  /**
   * The id of this database's changes feed: a new file gets a new one, and so does a file whose
   * last commits a reboot may have lost (`renewFeed`), since their feed positions are given again.
   */
  feedId: string;
  /** The id of `nodeId` in the `nodes` table. */
  localSource: number;
}

/**
 * Reads the node id and feed id stored in the file, or stores new ones in a new file; with
 * `renewFeed`, a new feed id replaces the stored one. A `requested` node id must be valid and, in
 * an existing file, match the stored one (FleetError('conflict') otherwise): a file never changes
 * hands.
 */
export function initIdentity(
  db: Database.Database,
  sql: Statements,
  nodes: NodeRegistry,
  requested: string | undefined,
  renewFeed = false,
): Identity {
  const nodeId = initNodeId(db, sql, requested);
  const feedId = initFeedId(sql, renewFeed);
  const localSource = db.transaction(() => nodes.idOf(nodeId)).immediate();
  return { nodeId, feedId, localSource };
}

function initNodeId(db: Database.Database, sql: Statements, requested: string | undefined): string {
  if (requested !== undefined) checkNodeId(requested);
  const stored = sql.getMeta.get('node_id')?.value;
  if (typeof stored === 'string') {
    if (requested !== undefined && requested !== stored) {
      throw new FleetError('conflict', `${db.name} belongs to node ${stored}, not ${requested}`, {
        details: { field: 'nodeId', stored, requested },
      });
    }
    return stored;
  }
  const nodeId = requested ?? generateNodeId();
  sql.setMeta.run('node_id', nodeId);
  return nodeId;
}

function initFeedId(sql: Statements, renew: boolean): string {
  const stored = sql.getMeta.get('feed_id')?.value;
  if (typeof stored === 'string' && !renew) return stored;
  const feedId = randomUUID();
  sql.setMeta.run('feed_id', feedId);
  return feedId;
}
