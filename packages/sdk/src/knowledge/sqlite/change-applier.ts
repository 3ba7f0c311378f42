import type { Change } from '../../schemas/sync.ts';
import { compareVersions, formatHlc, type HybridLogicalClock } from '../hlc.ts';
import { CheckedChanges } from '../internal/checked-changes.ts';
import type { FactWriter } from './fact-writer.ts';
import type { NodeRegistry } from './nodes.ts';
import type { PeerBook } from './peer-book.ts';
import type { FactRow } from './rows.ts';
import type { Statements } from './statements.ts';
import type { WriteContext } from './write-context.ts';

/** How many changes of a batch were applied, ignored, and won over a local write. */
export interface ApplyCounts {
  applied: number;
  ignored: number;
  conflictsLost: number;
}

/** What applying a batch did: its counts and the rows written, to emit after commit. */
export interface AppliedChanges {
  counts: ApplyCounts;
  written: FactRow[];
}

/**
 * Merges remote changes last-writer-wins on (version, source): a change replaces the stored
 * state of its key only when it is greater, so applying is idempotent and order-independent.
 */
export class ChangeApplier {
  readonly #sql: Statements;
  readonly #nodes: NodeRegistry;
  readonly #writer: FactWriter;
  readonly #clock: HybridLogicalClock;
  readonly #peers: PeerBook;
  readonly #nodeId: string;
  readonly #localSource: number;
  readonly #nextSeq: () => number;
  readonly #saveClock: () => void;

  constructor(context: WriteContext, peers: PeerBook) {
    this.#sql = context.sql;
    this.#nodes = context.nodes;
    this.#writer = context.writer;
    this.#clock = context.clock;
    this.#nodeId = context.nodeId;
    this.#localSource = context.localSource;
    this.#nextSeq = context.nextSeq;
    this.#saveClock = context.saveClock;
    this.#peers = peers;
  }

  /**
   * Checks every change (unless they come checked already), and that none is too far ahead of
   * the local clock (FleetError('clock_skew')), before anything is written.
   */
  check(changes: readonly Change[] | CheckedChanges): CheckedChanges {
    const checked = changes instanceof CheckedChanges ? changes : CheckedChanges.check(changes);
    if (checked.newest) this.#clock.check(checked.newest);
    return checked;
  }

  /**
   * Applies checked changes from peer `fromNodeId` inside the caller's write transaction, and
   * adds the local writes they beat to that peer's `conflictsLost`. The caller emits `written`
   * after commit.
   */
  apply(checked: CheckedChanges, fromNodeId: string): AppliedChanges {
    const counts: ApplyCounts = { applied: 0, ignored: 0, conflictsLost: 0 };
    const written: FactRow[] = [];
    if (checked.newest) this.#clock.update(checked.newest);
    for (const item of checked.items) {
      const stored = this.#sql.stateOf.get(item.key);
      if (stored) {
        const order = compareVersions(
          { version: item.versionText, source: item.source, deleted: item.valueText === null },
          {
            version: formatHlc({ ms: stored.vMs, counter: stored.vCounter }),
            source: this.#nodes.nameOf(stored.source),
            deleted: stored.deleted === 1,
          },
        );
        if (order <= 0) {
          counts.ignored++;
          continue;
        }
        if (stored.source === this.#localSource && item.source !== this.#nodeId) counts.conflictsLost++;
      }
      const row: FactRow = {
        seq: this.#nextSeq(),
        key: item.key,
        value: item.valueText,
        tags: item.tagsText,
        expiresAt: item.expiresAt,
        vMs: item.version.ms,
        vCounter: item.version.counter,
        source: this.#nodes.idOf(item.source),
      };
      this.#writer.write(row, stored, item.tags);
      written.push(row);
      counts.applied++;
    }
    if (counts.conflictsLost > 0) this.#peers.addConflicts(fromNodeId, counts.conflictsLost);
    this.#saveClock();
    return { counts, written };
  }
}
