import { toIso } from '../../internal/iso-time.ts';
import type { Delivery } from '../../schemas/lease.ts';
import { toMessage } from '../internal/message-record.ts';
import type { SendPlan } from '../internal/send-plan.ts';
import type { LeaseRequest } from '../message-store.ts';
import { addAckRequests } from './one-statement-ack.ts';
import { type AgentClaim, addLeaseClaims } from './one-statement-lease.ts';
import { addPlainSends } from './one-statement-send.ts';
import { CountDeltas } from './queue-counters.ts';
import { addAgentsSeen, addCountDeltasInsert, StatementBuilder } from './statement.ts';

/** A request that may share a combined statement: a plain send's plan, a lease or an ack. */
export type CombinedItem =
  | { kind: 'send'; plan: SendPlan; now: number }
  | { kind: 'lease'; request: LeaseRequest; now: number }
  | { kind: 'ack'; receipts: readonly string[]; now: number };

/**
 * The settings of the connections that run combined statements. Their texts are few (one per mix
 * of parts; values go in arrays) and each is prepared once per connection, but PostgreSQL left to
 * choose re-plans one on every run when the generic plan's estimate is no better than the custom
 * plans' (measured: planning was a fifth of its CPU per message), so plans are always generic. A
 * generic plan is built once from the statistics of its moment and kept until the table is
 * analyzed, so whatever they said then, the plan must use the indexes: every access is written as
 * a key lookup and sequential scans are off. And a generic plan cannot know a claim's LIMIT: on a
 * deep queue its estimate passes `jit_above_cost`, and compiling took 50-100 ms per run, so no JIT.
 */
export const COMBINED_STATEMENT_SETTINGS = Object.freeze({
  plan_cache_mode: 'force_generic_plan',
  enable_seqscan: 'off',
  jit: 'off',
});

/** A combined statement, and how to read each item's outcome from its one result row. */
export interface CombinedStatement {
  text: string;
  values: unknown[];
  /** Per item, in order: a send's plan, a lease's deliveries or an ack's count; undefined for the transaction path. */
  outcomes(row: Record<string, unknown>): unknown[];
}

/**
 * Builds the statement for `items` at `now`: writes the agents in `seen` as seen at `now` (those
 * whose last-seen time is due), then the sends, one claim per agent (requests for one agent share it; see
 * `addLeaseClaims`), the acks, and `notification` to the other replicas when one is due.
 */
export function buildCombinedStatement(
  items: readonly CombinedItem[],
  now: number,
  seen: readonly string[],
  notification: { channel: string; payloads: string[] } | undefined,
): CombinedStatement {
  const plans = items.flatMap((item) => (item.kind === 'send' ? [item.plan] : []));
  const leases = items.flatMap((item) => (item.kind === 'lease' ? [item.request] : []));
  const acks = items.flatMap((item) => (item.kind === 'ack' ? [item.receipts] : []));

  const statement = new StatementBuilder();
  addAgentsSeen(statement, seen, now);
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
  if (notification) {
    statement.add(
      `SELECT pg_notify(${statement.param(notification.channel, 'text')}, p)
      FROM unnest(${statement.param(notification.payloads, 'text[]')}) AS p`,
      'notified',
    );
    columns.push('(SELECT count(*) FROM notified) AS notified');
  }

  return {
    text: statement.text(`SELECT ${columns.length > 0 ? columns.join(', ') : '1'}`),
    values: statement.values,
    outcomes(row) {
      const claimed = lease?.claimed(row);
      const acked = ack?.outcomes(row) ?? [];
      let nextAck = 0;
      return items.map((item) => {
        if (item.kind === 'send') return item.plan;
        if (item.kind === 'ack') return acked[nextAck++];
        const { agent, limit } = item.request;
        if (!claimed || claimed.needHousekeeping.has(agent)) return undefined;
        // The agent's rows in delivery order, handed to its requests in the order they came.
        const rows = claimed.rows.get(agent)?.splice(0, limit) ?? [];
        return rows.map(
          (message): Delivery => ({
            message: toMessage(message),
            receipt: `${message.id}~${message.leaseToken}`,
            leaseExpiresAt: toIso(message.leaseExpiresAt!),
          }),
        );
      });
    },
  };
}
