import type pg from 'pg';
import { Coalescer, type ItemOutcome } from '../../internal/coalescer.ts';
import { toIso } from '../../internal/iso-time.ts';
import type { Delivery } from '../../schemas/lease.ts';
import type { SendInput } from '../../schemas/message.ts';
import { toMessage } from '../internal/message-record.ts';
import type { SendPlan } from '../internal/send-plan.ts';
import type { LeaseRequest } from '../message-store.ts';
import { isUnavailablePgError, pgOperation } from './failures.ts';
import { addAckRequests } from './one-statement-ack.ts';
import { type AgentClaim, addLeaseClaims } from './one-statement-lease.ts';
import { addPlainSends, isPlainSend, planPlainSends } from './one-statement-send.ts';
import { CountDeltas } from './queue-counters.ts';
import { addAgentsInsert, addCountDeltasInsert, prepared, StatementBuilder } from './statement.ts';
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

type WriteItem =
  | { kind: 'send'; plan: SendPlan; now: number }
  | { kind: 'lease'; request: LeaseRequest; now: number }
  | { kind: 'ack'; receipts: readonly string[]; now: number };

/** Options of {@link PgCombinedWrites}. */
export interface PgCombinedWritesOptions {
  /** The store's pool, once its schema is current. */
  pool: () => Promise<pg.Pool>;
  transitions: PgTransitions;
  /** Told about the messages stored; its notifications to other replicas go out with these statements when due. */
  wakeups: PgWakeups;
  idempotencyWindowSeconds: number;
}

/** How many rows an item writes at most. */
function weight(item: WriteItem): number {
  if (item.kind === 'send') return item.plan.records.length;
  return item.kind === 'lease' ? item.request.limit : item.receipts.length;
}

/** Whether `item` may share a statement with `batch` (see {@link PgCombinedWrites}). */
function canJoin(batch: readonly WriteItem[], item: WriteItem): boolean {
  if (batch.reduce((sum, b) => sum + weight(b), weight(item)) > MAX_ROWS) return false;
  if (item.kind === 'lease') {
    // One claim per agent: requests for one agent share it when their lease lengths agree.
    const { agent, leaseSeconds } = item.request;
    return batch.every(
      (b) => b.kind !== 'lease' || b.request.agent !== agent || b.request.leaseSeconds === leaseSeconds,
    );
  }
  if (item.kind === 'ack') {
    // A receipt named by two acks of one statement would be deleted for one and fail the other half-done.
    const taken = new Set(batch.flatMap((b) => (b.kind === 'ack' ? b.receipts : [])));
    return item.receipts.every((receipt) => !taken.has(receipt));
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
 */
export class PgCombinedWrites {
  readonly #options: PgCombinedWritesOptions;
  readonly #writes: Coalescer<WriteItem, unknown>;

  constructor(options: PgCombinedWritesOptions) {
    this.#options = options;
    this.#writes = new Coalescer<WriteItem, unknown>({
      run: (items) => this.#run(items),
      maxInFlight: PG_COMBINED_IN_FLIGHT,
      maxItems: MAX_REQUESTS,
      canJoin,
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

  async #run(items: WriteItem[]): Promise<ItemOutcome<unknown>[]> {
    const { transitions } = this.#options;
    const now = Math.max(...items.map((item) => item.now));
    const plans = items.flatMap((item) => (item.kind === 'send' ? [item.plan] : []));
    const leases = items.flatMap((item) => (item.kind === 'lease' ? [item.request] : []));
    const acks = items.flatMap((item) => (item.kind === 'ack' ? [item.receipts] : []));

    const statement = new StatementBuilder();
    const fresh = transitions.unknownAgents([...plans.flatMap((plan) => plan.agents), ...leases.map((l) => l.agent)]);
    addAgentsInsert(statement, fresh);
    const counts = new CountDeltas();
    addPlainSends(statement, counts, plans, now);
    addCountDeltasInsert(statement, counts);
    const claims = new Map<string, AgentClaim>();
    for (const { agent, limit, leaseSeconds } of leases) {
      const claim = claims.get(agent);
      if (claim) claim.limit += limit;
      else claims.set(agent, { agent, limit, leaseExpiresAt: now + Math.round(leaseSeconds * 1000) });
    }
    const lease = claims.size > 0 ? addLeaseClaims(statement, [...claims.values()], now) : undefined;
    const ack = acks.length > 0 ? addAckRequests(statement, acks, now) : undefined;
    const columns = [lease?.columns, ack?.column].filter((c) => c !== undefined);
    // The other replicas hear of the new messages at this commit, without a NOTIFY of its own.
    const stored = plans.flatMap((plan) => plan.records);
    const notification = this.#options.wakeups.notificationFor(stored);
    if (notification) {
      statement.add(
        `SELECT pg_notify(${statement.param(notification.channel, 'text')}, p)
        FROM unnest(${statement.param(notification.payloads, 'text[]')}) AS p`,
        'notified',
      );
      columns.push('(SELECT count(*) FROM notified) AS notified');
    }

    let row: Record<string, unknown>;
    try {
      const db = await this.#options.pool();
      const text = statement.text(`SELECT ${columns.length > 0 ? columns.join(', ') : '1'}`);
      const result = await pgOperation(() => db.query(prepared(text, statement.values)));
      row = result.rows[0] ?? {};
    } catch (error) {
      // Failed for a reason of its own, not the database being away: each request goes again
      // alone on the transaction path, so a bad one fails only itself.
      if (items.length > 1 && !isUnavailablePgError((error as Error).cause ?? error)) {
        return items.map(() => ({ value: undefined }));
      }
      throw error;
    }
    transitions.markKnown(fresh);
    if (notification) this.#options.wakeups.notifiedWith(stored);
    else this.#options.wakeups.stored(stored);

    const claimed = lease?.claimed(row);
    const acked = ack?.outcomes(row) ?? [];
    let nextAck = 0;
    return items.map((item): ItemOutcome<unknown> => {
      if (item.kind === 'send') return { value: item.plan };
      if (item.kind === 'ack') return { value: acked[nextAck++] };
      const { agent, limit } = item.request;
      if (!claimed || claimed.needHousekeeping.has(agent)) return { value: undefined };
      // The agent's rows in delivery order, handed to its requests in the order they came.
      const rows = claimed.rows.get(agent)?.splice(0, limit) ?? [];
      return {
        value: rows.map(
          (message): Delivery => ({
            message: toMessage(message),
            receipt: `${message.id}~${message.leaseToken}`,
            leaseExpiresAt: toIso(message.leaseExpiresAt!),
          }),
        ),
      };
    });
  }
}
