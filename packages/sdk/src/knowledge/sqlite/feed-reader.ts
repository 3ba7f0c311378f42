import { type EncodedJson, encodeList } from '../../contract/encoded-json.ts';
import { FleetError } from '../../errors.ts';
import { invalidField } from '../../internal/invalid-field.ts';
import type { ChangePage } from '../../schemas/sync.ts';
import type { ChangesOptions } from '../knowledge-db-options.ts';
import type { FeedHistory } from './feed-history.ts';
import type { NodeRegistry } from './nodes.ts';
import { cutPage } from './page-budget.ts';
import { encodeChange, type FactRow, toChange } from './rows.ts';
import type { Statements } from './statements.ts';

/**
 * The feed a {@link FeedReader} reads: its ids, and where it stands (asked on each call, as
 * writes and GC move it). The `WritePath` (write-path.ts) is one.
 */
export interface FeedSource {
  /** The id of the node that owns the feed. */
  readonly nodeId: string;
  /** The id of the feed this open of the file gives out (every open starts a new one). */
  readonly feedId: string;
  /** The latest feed position (0 before any write). */
  seq(): number;
  /** The highest feed position GC has removed a row at (0 when none). */
  gcWatermark(): number;
}

function checkLimit(limit: number): void {
  if (!Number.isSafeInteger(limit) || limit < 1) throw invalidField('limit', 'must be a positive whole number');
}

/** The reading side of a node's changes feed: feed pages, snapshot pages and the pull cursor check. */
export class FeedReader {
  readonly #sql: Statements;
  readonly #nodes: NodeRegistry;
  readonly #nodeId: string;
  readonly #feedId: string;
  readonly #feed: FeedSource;
  readonly #history: FeedHistory;

  constructor(sql: Statements, nodes: NodeRegistry, feed: FeedSource, history: FeedHistory) {
    this.#sql = sql;
    this.#nodes = nodes;
    this.#nodeId = feed.nodeId;
    this.#feedId = feed.feedId;
    this.#feed = feed;
    this.#history = history;
  }

  /** The feed after `since`, at most `limit` entries (see `KnowledgeDB.changes`). */
  changes(since: number, limit: number, options: ChangesOptions): FeedPage {
    checkLimit(limit);
    const except = options.exceptSource === undefined ? undefined : this.#nodes.find(options.exceptSource);
    const rows =
      except === undefined
        ? this.#sql.changesSince.all(since, limit + 1)
        : this.#sql.changesSinceExcept.all(since, except, limit + 1);
    const hasMore = cutPage(rows, limit);
    const last = rows.length > 0 ? rows[rows.length - 1]!.seq : since;
    return new FeedPage(rows, this.#nodes, {
      nodeId: this.#nodeId,
      feedId: this.#feedId,
      nextSince: hasMore || except === undefined ? last : Math.max(last, this.#feed.seq()),
      hasMore,
    });
  }

  /** One page of a snapshot in key order after `afterKey` (see `KnowledgeDB.snapshotPage`). */
  snapshotPage(afterKey: string | null, limit: number): FeedPage {
    checkLimit(limit);
    const rows = this.#sql.stateAfterKey.all(afterKey ?? '', limit + 1);
    const hasMore = cutPage(rows, limit);
    return new FeedPage(rows, this.#nodes, {
      nodeId: this.#nodeId,
      feedId: this.#feedId,
      nextSince: this.#feed.seq(),
      hasMore,
      nextKey: hasMore ? rows[rows.length - 1]!.key : null,
      gcWatermark: this.#feed.gcWatermark(),
    });
  }

  /**
   * Throws FleetError('resync_required') when a pull from `since` (a position of feed `feedId`)
   * could miss changes: `replaced` when this file never gave the cursor out, `collected` when GC
   * removed tombstones after it (see `KnowledgeDB.checkPullCursor`). The error's details name the
   * reason and this open's feed id.
   */
  checkPullCursor(since: number, feedId?: string): void {
    if (since === 0) return;
    const seq = this.#feed.seq();
    const watermark = this.#feed.gcWatermark();
    const replaced = this.#beyondFeed(since, feedId, seq);
    if (replaced === undefined && since >= watermark) return;
    const reason = replaced ?? `predates tombstones collected up to ${watermark}`;
    throw new FleetError('resync_required', `Pull cursor ${since} ${reason}: pull again from 0`, {
      details: {
        since,
        watermark,
        seq,
        reason: replaced === undefined ? 'collected' : 'replaced',
        feedId: this.#feedId,
      },
    });
  }

  /** Why this file never gave out cursor `since` of feed `feedId`; undefined when it did. */
  #beyondFeed(since: number, feedId: string | undefined, seq: number): string | undefined {
    // Without a feed id (a puller that does not send one), only the position can be judged.
    const end = feedId === undefined || feedId === this.#feedId ? seq : this.#history.endOf(feedId);
    if (end === undefined) return `is of feed ${feedId}, which this database never had; it was replaced`;
    if (since <= (end ?? seq)) return undefined;
    if (end !== null && end < 0) {
      return `is of feed ${feedId}, which a reboot may have cut short in this database (its last commits lost)`;
    }
    return feedId === undefined || end === null
      ? `is beyond this node's feed (at ${seq}); the database was replaced`
      : `is beyond where its feed ${feedId} ended in this database (at ${end}); the database was restored from an older copy or replaced`;
  }
}

/** The fields of a {@link ChangePage} after its changes. */
type FeedPageFields = Omit<ChangePage, 'changes' | 'count'>;

/** A page of the feed as read, before it is rendered as objects or encoded for the wire. */
export class FeedPage {
  readonly #rows: readonly FactRow[];
  readonly #nodes: NodeRegistry;
  readonly #fields: FeedPageFields;

  constructor(rows: readonly FactRow[], nodes: NodeRegistry, fields: FeedPageFields) {
    this.#rows = rows;
    this.#nodes = nodes;
    this.#fields = fields;
  }

  /** The page as objects. */
  toPage(): ChangePage {
    const changes = this.#rows.map((row) => toChange(row, this.#nodes.nameOf(row.source)));
    return { changes, count: changes.length, ...this.#fields };
  }

  /** The same page as JSON text, without decoding the stored values. */
  encode(): EncodedJson<ChangePage> {
    const changes = this.#rows.map((row) => encodeChange(row, this.#nodes.nameOf(row.source)));
    return encodeList('changes', changes, this.#fields);
  }
}
