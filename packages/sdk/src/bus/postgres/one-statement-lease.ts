import { toIso } from '../../internal/iso-time.ts';
import { makeReceipt } from '../internal/receipt.ts';
import { claimDeliverable } from './deliveries.ts';
import { MESSAGE_COLUMNS, type MessageRow } from './rows.ts';
import type { StatementBuilder } from './statement.ts';
import { HOUSEKEEPING_DUE } from './transitions.ts';

/** One agent's claim in a combined lease: how many rows at most, and until when. */
export interface AgentClaim {
  agent: string;
  limit: number;
  leaseExpiresAt: number;
}

/** What a combined lease claimed, per agent (in delivery order), and the agents it left alone. */
export interface ClaimedLeases {
  rows: Map<string, MessageRow[]>;
  /** Agents with housekeeping due (an expired lease, a TTL passed, a delayed message due): nothing claimed. */
  needHousekeeping: Set<string>;
}

/**
 * Adds leases for several agents (each at most once) to a statement (parts `lease_*`, the final
 * columns `leased` and `busy`): per agent, when it has no housekeeping due, claims up to `limit`
 * deliverable rows in delivery order (`FOR UPDATE SKIP LOCKED`), puts them in flight with a fresh
 * token each and one more attempt, audits `delivered` and counts them from ready to in flight. An
 * agent with housekeeping due is only reported: the caller leases for it the long way
 * (housekeeping committed, then the claim in a transaction of its own), since a claim in the same statement would
 * not see the housekeeping's changes.
 */
export function addLeaseClaims(
  statement: StatementBuilder,
  claims: readonly AgentClaim[],
  now: number,
): { columns: string; claimed: (row: Record<string, unknown>) => ClaimedLeases } {
  const p = (value: unknown, cast: string) => statement.param(value, cast);
  const at = p(now, 'bigint');
  const total = claims.reduce((sum, claim) => sum + claim.limit, 0);
  const tokens = Array.from({ length: total }, () => makeReceipt('').leaseToken);
  const agents = p(
    claims.map((c) => c.agent),
    'text[]',
  );
  const limits = p(
    claims.map((c) => c.limit),
    'int[]',
  );
  const until = p(
    claims.map((c) => c.leaseExpiresAt),
    'bigint[]',
  );
  const untilIso = p(
    claims.map((c) => toIso(c.leaseExpiresAt)),
    'text[]',
  );
  statement
    .add(
      `SELECT q.*, (
        EXISTS (SELECT 1 FROM messages WHERE ${HOUSEKEEPING_DUE.expiredLeases('q.agent', at)})
        OR EXISTS (SELECT 1 FROM messages WHERE ${HOUSEKEEPING_DUE.expiredTtls('q.agent', at)})
        OR EXISTS (SELECT 1 FROM messages WHERE ${HOUSEKEEPING_DUE.dueDelayed('q.agent', at)})) AS busy
      FROM unnest(${agents}, ${limits}, ${until}, ${untilIso}) WITH ORDINALITY AS q(agent, lim, until, until_iso, k)`,
      'lease_agents',
    )
    .add(
      `SELECT c.claimed, a.k, a.until, a.until_iso, row_number() OVER (ORDER BY c.claimed) AS n
      FROM (SELECT * FROM lease_agents WHERE NOT busy) a
      CROSS JOIN LATERAL (${claimDeliverable('a.agent', at, 'a.lim')}) c`,
      'lease_claimed',
    )
    .add(
      `UPDATE messages m SET state = 'in_flight', attempts = m.attempts + 1,
        lease_token = (${p(tokens, 'text[]')})[c.n], lease_expires_at = c.until
      FROM lease_claimed c
      -- The array condition makes the plan look rows up by primary key: the claim's size is a
      -- parameter, and a generic plan that guesses it large would join by scanning the table.
      WHERE m.seq = ANY (ARRAY(SELECT claimed FROM lease_claimed)) AND m.seq = c.claimed
      RETURNING ${MESSAGE_COLUMNS}, c.k, c.until_iso`,
      'lease_leased',
    )
    .add(
      `INSERT INTO audit (at, event, message_id, agent, details)
      SELECT ${at}, 'delivered', id, "to", json_build_object('attempt', attempts, 'leaseExpiresAt', until_iso)
      FROM lease_leased ORDER BY k, priority DESC, seq`,
    )
    .add(
      `INSERT INTO queue_count_deltas (recipient, ready, in_flight)
      SELECT "to", -count(*), count(*) FROM lease_leased GROUP BY "to"`,
    );
  return {
    columns: `(SELECT json_agg(l) FROM (SELECT * FROM lease_leased ORDER BY k, priority DESC, seq) l) AS leased,
      (SELECT array_agg(agent) FROM lease_agents WHERE busy) AS busy`,
    claimed: (row) => {
      const result: ClaimedLeases = { rows: new Map(), needHousekeeping: new Set((row.busy as string[] | null) ?? []) };
      const leased = (row.leased as (MessageRow & { k: number; until_iso: string })[] | null) ?? [];
      for (const { k: _k, until_iso: _iso, ...message } of leased) {
        const list = result.rows.get(message.to);
        if (list) list.push(message);
        else result.rows.set(message.to, [message]);
      }
      return result;
    },
  };
}
