import type pg from 'pg';
import { FleetError } from '../../errors.ts';
import { Coalescer, type ItemOutcome } from '../../internal/coalescer.ts';
import { createPool, PG_TIMEOUTS, type PgTimeouts, queryWithSettings } from '../../internal/pg-driver.ts';
import type { Delivery } from '../../schemas/lease.ts';
import type { SendInput } from '../../schemas/message.ts';
import type { SendPlan } from '../internal/send-plan.ts';
import type { LeaseRequest } from '../message-store.ts';
import { buildCombinedStatement, COMBINED_STATEMENT_SETTINGS, type CombinedItem } from './combined-statement.ts';
import { isUnavailablePgError, isUnreachablePgError, pgOperation } from './failures.ts';
import { isPlainSend, planPlainSends } from './one-statement-send.ts';
import { prepared } from './statement.ts';
import type { PgTransitions } from './transitions.ts';
import type { PgWakeups } from './wakeups.ts';

/**
 * Combined statements a replica runs at once. The second starts only when the requests waiting
 * fill one: a few requests waiting for the running statement cost the database less than two
 * statements side by side (measured: about half the server CPU per message).
 */
export const PG_COMBINED_IN_FLIGHT = 2;
/** Most requests in one combined statement. */
const MAX_REQUESTS = 64;
/** Most message copies one combined statement stores, leases and acks. */
const MAX_ROWS = 1000;

/** Options of {@link PgCombinedWrites}. */
export interface PgCombinedWritesOptions {
  /** The database's URL: the combined statements run on connections of their own. */
  url: string;
  /** Resolves once the schema is current. */
  ready: () => Promise<unknown>;
  transitions: PgTransitions;
  /** Told about the messages stored; its notifications to other replicas go out with these statements when due. */
  wakeups: PgWakeups;
  idempotencyWindowSeconds: number;
  /** Bounds other than `PG_TIMEOUTS`'s (tests shorten them). */
  timeouts?: Partial<PgTimeouts>;
}

/** How many rows an item writes at most. */
function weight(item: CombinedItem): number {
  if (item.kind === 'send') return item.plan.records.length;
  return item.kind === 'lease' ? item.request.limit : item.receipts.length;
}

/** What a batch being gathered holds so far: rows, lease lengths by agent, acked receipts. */
interface BatchSummary {
  /** Items of the batch folded in (the batch only grows). */
  items: number;
  rows: number;
  leaseSeconds: Map<string, number>;
  receipts: Set<string>;
}

const summaries = new WeakMap<readonly CombinedItem[], BatchSummary>();

/** The summary of `batch`, brought up to date with the items appended since the last call. */
function summaryOf(batch: readonly CombinedItem[]): BatchSummary {
  let summary = summaries.get(batch);
  if (!summary) {
    summary = { items: 0, rows: 0, leaseSeconds: new Map(), receipts: new Set() };
    summaries.set(batch, summary);
  }
  for (; summary.items < batch.length; summary.items++) {
    const item = batch[summary.items]!;
    summary.rows += weight(item);
    if (item.kind === 'lease') summary.leaseSeconds.set(item.request.agent, item.request.leaseSeconds);
    else if (item.kind === 'ack') for (const receipt of item.receipts) summary.receipts.add(receipt);
  }
  return summary;
}

/**
 * Whether `item` may share a statement with `batch` (see {@link PgCombinedWrites}); linear in a
 * batch, not quadratic: what the batch holds is summed once as it grows.
 */
function canJoin(batch: readonly CombinedItem[], item: CombinedItem): boolean {
  const summary = summaryOf(batch);
  if (summary.rows + weight(item) > MAX_ROWS) return false;
  if (item.kind === 'lease') {
    // One claim per agent: requests for one agent share it when their lease lengths agree.
    const seconds = summary.leaseSeconds.get(item.request.agent);
    return seconds === undefined || seconds === item.request.leaseSeconds;
  }
  if (item.kind === 'ack') {
    // A receipt named by two acks of one statement would be deleted for one and fail the other half-done.
    return item.receipts.every((receipt) => !summary.receipts.has(receipt));
  }
  return true;
}

/**
 * The common cases of send, lease and ack in one statement, one implicit transaction, and under
 * load one statement for all the requests that came while the previous one ran, whatever their
 * kind ({@link Coalescer}): where the transaction path takes four or five round trips and a commit
 * per request, a busy replica takes one for many. Concurrent requests have no order between them,
 * so one snapshot for all is what running them side by side would give (a lease does not see a
 * message sent in the same statement; the sender has not been answered yet).
 * Each method resolves with undefined when its request must take the transaction path instead (a
 * send that reads first, an agent with housekeeping due, an ack with an invalid receipt, or a
 * combined statement that failed for a reason other than the database being away).
 *
 * No request waits in line unbounded: a turn at a statement is this path's free connection of a
 * pool, had within `connectMs` or `unavailable`. And when a statement finds the database unreachable,
 * the requests waiting behind it fail with it at once, instead of each batch of them meeting the
 * same wall in turn; the next request tries the database again.
 */
export class PgCombinedWrites {
  readonly #options: PgCombinedWritesOptions;
  readonly #writes: Coalescer<CombinedItem, unknown>;
  /** One connection per statement in flight, with {@link COMBINED_STATEMENT_SETTINGS}. */
  readonly #pool: pg.Pool;
  readonly #query: (query: pg.QueryConfig) => Promise<pg.QueryResult>;

  constructor(options: PgCombinedWritesOptions) {
    this.#options = options;
    const timeouts = { ...PG_TIMEOUTS, ...options.timeouts };
    this.#pool = createPool({ url: options.url, max: PG_COMBINED_IN_FLIGHT, applicationName: 'fleet-bus', timeouts });
    // An idle connection that breaks (a database restart) is dropped; unheard, its error would crash the process.
    this.#pool.on('error', () => undefined);
    this.#query = queryWithSettings(this.#pool, COMBINED_STATEMENT_SETTINGS);
    this.#writes = new Coalescer<CombinedItem, unknown>({
      run: (items) => this.#run(items),
      maxInFlight: PG_COMBINED_IN_FLIGHT,
      maxItems: MAX_REQUESTS,
      canJoin,
      // Requests failed in line (by either rule) were in no statement: nothing of theirs was written.
      maxWaitMs: timeouts.connectMs,
      waitedTooLong: () =>
        new FleetError('unavailable', 'The message database is unavailable; try again later', {
          cause: new Error(`no turn at a combined statement within ${timeouts.connectMs} ms`),
        }),
      failsWaiting: isUnreachablePgError,
    });
  }

  /**
   * Stores a plain send (see {@link isPlainSend}); resolves with its plan once committed, or
   * undefined when it must take the transaction path. Throws `validation_failed` before writing.
   */
  async send(inputs: SendInput[], now: number): Promise<SendPlan | undefined> {
    if (!isPlainSend(inputs)) return undefined;
    const plan = planPlainSends(inputs, now, this.#options.idempotencyWindowSeconds);
    return (await this.#writes.submit({ kind: 'send', plan, now })) as SendPlan | undefined;
  }

  /** Leases as {@link LeaseRequest} asks; undefined when the agent has housekeeping due. */
  async lease(request: LeaseRequest, now: number): Promise<Delivery[] | undefined> {
    if (request.limit <= 0) return undefined;
    return (await this.#writes.submit({ kind: 'lease', request, now })) as Delivery[] | undefined;
  }

  /** Acks all the receipts, or (undefined) nothing when any is not valid. */
  async ack(receipts: readonly string[], now: number): Promise<number | undefined> {
    return (await this.#writes.submit({ kind: 'ack', receipts, now })) as number | undefined;
  }

  /** Closes the statements' connections (once no request is waiting for them). */
  async close(): Promise<void> {
    await this.#pool.end();
  }

  async #run(items: CombinedItem[]): Promise<ItemOutcome<unknown>[]> {
    const { transitions, wakeups } = this.#options;
    const now = Math.max(...items.map((item) => item.now));
    const seen = transitions.dueAgents(
      items.flatMap((item) =>
        item.kind === 'send' ? item.plan.agents : item.kind === 'lease' ? [item.request.agent] : [],
      ),
      now,
    );
    // The other replicas hear of the new messages at this commit, without a NOTIFY of its own.
    const stored = items.flatMap((item) => (item.kind === 'send' ? item.plan.records : []));
    const notification = wakeups.notificationFor(stored);
    const statement = buildCombinedStatement(items, now, seen, notification);

    let row: Record<string, unknown>;
    try {
      await this.#options.ready();
      const result = await pgOperation(() => this.#query(prepared(statement.text, statement.values)));
      row = result.rows[0] ?? {};
    } catch (error) {
      // Failed for a reason of its own, not the database being away: each request goes again
      // alone on the transaction path, so a bad one fails only itself.
      if (items.length > 1 && !isUnavailablePgError((error as Error).cause ?? error)) {
        return items.map(() => ({ value: undefined }));
      }
      throw error;
    }
    transitions.markSeen(seen, now);
    if (notification) wakeups.notifiedWith(stored);
    else wakeups.stored(stored);
    return statement.outcomes(row).map((value) => ({ value }));
  }
}
