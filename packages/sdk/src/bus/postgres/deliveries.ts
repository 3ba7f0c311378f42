import { toIso } from '../../internal/iso-time.ts';
import type { Delivery } from '../../schemas/lease.ts';
import type { Message } from '../../schemas/message.ts';
import { auditEntry } from '../internal/audit-entry.ts';
import { toMessage } from '../internal/message-record.ts';
import { makeReceipt } from '../internal/receipt.ts';
import type { LeaseRequest } from '../message-store.ts';
import { MESSAGE_COLUMNS, type MessageRow } from './rows.ts';
import type { PgTransaction } from './transaction.ts';
import type { PgTransitions } from './transitions.ts';

/**
 * Up to `limit` deliverable messages of an agent in delivery order (priority, then FIFO), locked
 * for this transaction. SKIP LOCKED: rows another replica is leasing right now are passed over,
 * never waited for, so concurrent receives for one agent each get different messages.
 */
function claimDeliverable(tx: PgTransaction, agent: string, limit: number, now: number): Promise<MessageRow[]> {
  return tx.rows<MessageRow>(
    `SELECT ${MESSAGE_COLUMNS} FROM messages
      WHERE recipient = $1 AND state = 'ready' AND available_at <= $2 AND (expires_at IS NULL OR expires_at > $2)
      ORDER BY priority DESC, seq LIMIT $3 FOR UPDATE SKIP LOCKED`,
    [agent, now, limit],
  );
}

/**
 * Leases up to `limit` deliverable messages of an agent, after its housekeeping: each goes in
 * flight with a fresh receipt and one more attempt. Runs inside the caller's transaction.
 */
export async function leaseMessages(
  tx: PgTransaction,
  transitions: PgTransitions,
  request: LeaseRequest,
  now: number,
): Promise<Delivery[]> {
  await transitions.rememberAgents(tx, [request.agent]);
  await transitions.housekeep(tx, request.agent, now);
  const rows = await claimDeliverable(tx, request.agent, request.limit, now);
  if (rows.length === 0) return [];
  const leaseExpiresAt = now + Math.round(request.leaseSeconds * 1000);
  const receipts = rows.map((row) => makeReceipt(row.id));
  await tx.run(
    `UPDATE messages m SET state = 'in_flight', attempts = m.attempts + 1, lease_token = u.token, lease_expires_at = $3
      FROM unnest($1::bigint[], $2::text[]) AS u(seq, token) WHERE m.seq = u.seq`,
    [rows.map((row) => row.seq), receipts.map((r) => r.leaseToken), leaseExpiresAt],
  );
  return rows.map((row, index): Delivery => {
    const attempts = row.attempts + 1;
    tx.audit(auditEntry(now, 'delivered', row, { attempt: attempts, leaseExpiresAt: toIso(leaseExpiresAt) }));
    return {
      message: toMessage({ ...row, attempts }),
      receipt: receipts[index]!.receipt,
      leaseExpiresAt: toIso(leaseExpiresAt),
    };
  });
}

/** The old bus's at-most-once poll: removes and returns up to `limit` deliverable messages. */
export async function pollMessages(
  tx: PgTransaction,
  transitions: PgTransitions,
  agent: string,
  limit: number,
  now: number,
): Promise<Message[]> {
  await transitions.rememberAgents(tx, [agent]);
  await transitions.housekeep(tx, agent, now);
  const rows = await claimDeliverable(tx, agent, limit, now);
  if (rows.length === 0) return [];
  await tx.run('DELETE FROM messages WHERE seq = ANY($1::bigint[])', [rows.map((row) => row.seq)]);
  return rows.map((row) => {
    tx.audit(auditEntry(now, 'delivered', row, { mode: 'poll' }));
    return toMessage({ ...row, attempts: row.attempts + 1 });
  });
}
