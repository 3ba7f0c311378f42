import type Database from 'better-sqlite3';
import { FleetError } from '../../errors.ts';
import { checkNodeId, generateNodeId } from '../internal/node-id.ts';
import { savedFeedPosition, startFeed } from './feed-history.ts';
import type { NodeRegistry } from './nodes.ts';
import type { Statements } from './statements.ts';

/** Who a knowledge database belongs to (fixed when the file was created), and this open's feed. */
export interface Identity {
  /** This node's stable id: the `source` of its writes. */
  nodeId: string;
  /**
   * The id of the changes feed this open of the file gives out (`feed-history.ts`): every open
   * starts a new one, and the file keeps the earlier ones with where they ended.
   */
  feedId: string;
  /** The id of `nodeId` in the `nodes` table. */
  localSource: number;
}

/**
 * Reads the node id stored in the file, or stores a new one in a new file, and starts this open's
 * feed ({@link startFeed}). A `requested` node id must be valid and, in an existing file, match the
 * stored one (FleetError('conflict') otherwise): a file never changes hands.
 */
export function initIdentity(
  db: Database.Database,
  sql: Statements,
  nodes: NodeRegistry,
  requested: string | undefined,
): Identity {
  const nodeId = initNodeId(db, sql, requested);
  const feedId = startFeed(db, savedFeedPosition(sql));
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
