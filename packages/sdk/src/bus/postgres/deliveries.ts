import { toIso } from '../../internal/iso-time.ts';
import type { Delivery } from '../../schemas/lease.ts';
import type { Message } from '../../schemas/message.ts';
import { MESSAGE_FIXED_BYTES } from '../internal/answer-budget.ts';
import { auditEntry } from '../internal/audit-entry.ts';
import { toMessage } from '../internal/message-record.ts';
import { makeReceipt } from '../internal/receipt.ts';
import type { LeaseRequest } from '../message-store.ts';
import { MESSAGE_COLUMNS, type MessageRow } from './rows.ts';
import type { PgTransaction } from './transaction.ts';
import { PG_HOUSEKEEP_BATCH, type PgTransitions } from './transitions.ts';

/**
 * Deliverable rows of an agent in delivery order, at most `limit`, locked (agent, time and limit
 * given as SQL expressions; the rows' seq as `claimed`, or the `columns` given): the claim of lease
 * and poll, here and in the one-statement lease. Only rows counted as ready (`messages_ready`): housekeeping promoted the
 * due delayed ones just before. Rows another transaction holds are passed over, never waited for.
 */
export function claimDeliverable(agent: string, now: string, limit: string, columns = 'seq AS claimed'): string {
  return `SELECT ${columns} FROM messages
  WHERE recipient = ${agent} AND state = 'ready' AND NOT delayed AND available_at <= ${now}
    AND (expires_at IS NULL OR expires_at > ${now})
  ORDER BY priority DESC, seq LIMIT ${limit} FOR UPDATE SKIP LOCKED`;
}

const CLAIM = claimDeliverable('$1', '$2', '$3');

/** Back into delivery order (RETURNING gives no order). */
function inDeliveryOrder(rows: MessageRow[]): MessageRow[] {
  return rows.sort((a, b) => b.priority - a.priority || a.seq - b.seq);
}

/** Runs `fn` in a short transaction of its own (the store's `#transaction`). */
export type RunInTransaction = <T>(fn: (tx: PgTransaction) => Promise<T>) => Promise<T>;

/**
 * What a lease or poll that takes the long way runs first: the agent remembered and its
 * housekeeping done, in batches of short transactions (`PG_HOUSEKEEP_BATCH` rows each) until none
 * is left, so every expired lease is back in line before the claim, as on the other stores. The
 * claim then runs in the next transaction, as its first write (see {@link leaseMessages}).
 */
export async function beforeClaim(
  run: RunInTransaction,
  transitions: PgTransitions,
  agent: string,
  now: number,
): Promise<void> {
  let handled: number;
  do
    handled = await run(async (tx) => {
      await transitions.seeAgents(tx, [agent], now);
      return transitions.housekeep(tx, agent, now);
    });
  while (handled >= PG_HOUSEKEEP_BATCH);
}

/**
 * Leases up to `limit` deliverable messages of an agent: each goes in flight with a fresh receipt
 * and one more attempt. Runs in the caller's transaction, as its first write, after
 * {@link beforeClaim} committed. The claim is `FOR UPDATE SKIP LOCKED`: rows another replica is
 * leasing right now are passed over, never waited for, so concurrent receives for one agent each
 * get different messages.
 *
 * First write, because the audit trail is in transaction-id order and a transaction gets its id at
 * its first write: a claim whose transaction had written before (housekeeping) could see a message
 * that a younger transaction committed since, and its `delivered` would sort before that
 * message's `sent`. A claim that writes first sees only transactions older than itself.
 */
export async function leaseMessages(tx: PgTransaction, request: LeaseRequest, now: number): Promise<Delivery[]> {
  if (request.limit <= 0) return [];
  const leaseExpiresAt = now + Math.round(request.leaseSeconds * 1000);
  // One fresh token per row that may be claimed; claim and update are one statement.
  const tokens = Array.from({ length: request.limit }, () => makeReceipt('').leaseToken);
  const rows = inDeliveryOrder(
    await tx.rows<MessageRow>(
      `WITH claimed AS (${CLAIM}),
        numbered AS (SELECT claimed, row_number() OVER (ORDER BY claimed) AS n FROM claimed)
      UPDATE messages SET state = 'in_flight', attempts = attempts + 1, lease_token = ($4::text[])[n],
        lease_expires_at = $5
      FROM numbered WHERE seq = claimed
      RETURNING ${MESSAGE_COLUMNS}`,
      [request.agent, now, request.limit, tokens, leaseExpiresAt],
    ),
  );
  tx.counts.add(request.agent, 'ready', -rows.length);
  tx.counts.add(request.agent, 'inFlight', rows.length);
  return rows.map((row): Delivery => {
    tx.audit(auditEntry(now, 'delivered', row, { attempt: row.attempts, leaseExpiresAt: toIso(leaseExpiresAt) }));
    // The receipt format of makeReceipt: `<messageId>~<leaseToken>`.
    return { message: toMessage(row), receipt: `${row.id}~${row.leaseToken}`, leaseExpiresAt: toIso(leaseExpiresAt) };
  });
}

/** A row's cost in an answer, as `AnswerBudget` counts it (`to_json` escapes text as `JSON.stringify` does). */
const ROW_ANSWER_BYTES = `octet_length(payload::text) + ${MESSAGE_FIXED_BYTES}
  + octet_length(to_json(sender)::text) + octet_length(to_json(recipient)::text) + octet_length(to_json(type)::text)
  + coalesce(octet_length(to_json(topic)::text), 4) + coalesce(octet_length(to_json(idempotency_key)::text), 4)`;

/**
 * The claim of a poll with a byte budget (`$4`): the deliverable rows in delivery order, locked, as
 * many as fit (each row's payload JSON, its text fields as JSON and {@link MESSAGE_FIXED_BYTES}, as
 * `AnswerBudget` counts them; the first one always);
 * the rows claimed past the budget are only locked, and stay queued.
 */
const CLAIM_WITHIN_BYTES = `SELECT claimed FROM (
    SELECT claimed, row_number() OVER w AS n, sum(size) OVER w AS running
    FROM (${claimDeliverable('$1', '$2', '$3', `seq AS claimed, priority, ${ROW_ANSWER_BYTES} AS size`)}) AS locked
    WINDOW w AS (ORDER BY priority DESC, claimed)
  ) AS counted WHERE n = 1 OR running <= $4`;

/**
 * The old bus's at-most-once poll: removes and returns up to `limit` deliverable messages, as many
 * as fit in `maxBytes` (see `AnswerBudget`). Runs after {@link beforeClaim} committed, as its
 * transaction's first write (as {@link leaseMessages}).
 */
export async function pollMessages(
  tx: PgTransaction,
  agent: string,
  limit: number,
  now: number,
  maxBytes?: number,
): Promise<Message[]> {
  if (limit <= 0) return [];
  const claim = maxBytes === undefined ? CLAIM : CLAIM_WITHIN_BYTES;
  const rows = inDeliveryOrder(
    await tx.rows<MessageRow>(
      `WITH claimed AS (${claim}) DELETE FROM messages USING claimed WHERE seq = claimed RETURNING ${MESSAGE_COLUMNS}`,
      maxBytes === undefined ? [agent, now, limit] : [agent, now, limit, maxBytes],
    ),
  );
  tx.counts.add(agent, 'ready', -rows.length);
  return rows.map((row) => {
    tx.audit(auditEntry(now, 'delivered', row, { mode: 'poll' }));
    return toMessage({ ...row, attempts: row.attempts + 1 });
  });
}
