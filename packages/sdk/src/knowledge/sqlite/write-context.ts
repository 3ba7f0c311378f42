import type { HybridLogicalClock } from '../hlc.ts';
import type { FactWriter } from './fact-writer.ts';
import type { NodeRegistry } from './nodes.ts';
import type { Statements } from './statements.ts';

/**
 * What the code that appends to the changes feed (local writes, applied remote changes) gets
 * from the `WritePath` (write-path.ts), which keeps the feed position: it alone holds the counter,
 * so it can roll the position back when a write transaction fails. Used only inside such a
 * transaction.
 */
export interface WriteContext {
  readonly sql: Statements;
  readonly nodes: NodeRegistry;
  readonly writer: FactWriter;
  readonly clock: HybridLogicalClock;
  /** Physical time now, epoch milliseconds. */
  readonly now: () => number;
  /** This node's id. */
  readonly nodeId: string;
  /** The id of this node in the `nodes` table. */
  readonly localSource: number;
  /** Takes the next feed position. */
  readonly nextSeq: () => number;
  /** Stores the feed position, the clock and the GC watermark (after the rows of a write). */
  readonly saveClock: () => void;
}
