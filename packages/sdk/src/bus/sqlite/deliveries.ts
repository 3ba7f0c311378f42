import { toIso } from '../../internal/iso-time.ts';
import type { Delivery } from '../../schemas/lease.ts';
import type { Message } from '../../schemas/message.ts';
import { AnswerBudget } from '../internal/answer-budget.ts';
import { auditEntry } from '../internal/audit-entry.ts';
import { toMessage } from '../internal/message-record.ts';
import { makeReceipt } from '../internal/receipt.ts';
import type { LeaseRequest } from '../message-store.ts';
import { countedState } from './queue-counters.ts';
import { fromRow } from './rows.ts';
import type { Statements } from './statements.ts';
import type { SqliteTransitions } from './transitions.ts';

/**
 * Leases up to `limit` deliverable messages of an agent, after its housekeeping: each goes in
 * flight with a fresh receipt and one more attempt. Runs inside the caller's transaction.
 */
export function leaseMessages(
  sql: Statements,
  transitions: SqliteTransitions,
  request: LeaseRequest,
  now: number,
): Delivery[] {
  transitions.seeAgent(request.agent, now);
  transitions.housekeep(request.agent, now);
  const leaseExpiresAt = now + Math.round(request.leaseSeconds * 1000);
  return sql
    .deliverable(request.limit)
    .all({ agent: request.agent, now })
    .map((row): Delivery => {
      const { receipt, leaseToken } = makeReceipt(row.id);
      const message = fromRow(row);
      message.attempts += 1;
      sql.markLeased.run(message.attempts, leaseToken, leaseExpiresAt, row.seq);
      transitions.counters.move(row.to, countedState(row), 'inFlight');
      transitions.audit(
        auditEntry(now, 'delivered', row, { attempt: message.attempts, leaseExpiresAt: toIso(leaseExpiresAt) }),
      );
      return { message: toMessage(message), receipt, leaseExpiresAt: toIso(leaseExpiresAt) };
    });
}

/**
 * The old bus's at-most-once poll: removes and returns up to `limit` deliverable messages, as many
 * as fit in `maxBytes` (see `AnswerBudget`); the others stay queued.
 */
export function pollMessages(
  sql: Statements,
  transitions: SqliteTransitions,
  agent: string,
  limit: number,
  now: number,
  maxBytes?: number,
): Message[] {
  transitions.seeAgent(agent, now);
  transitions.housekeep(agent, now);
  const budget = maxBytes === undefined ? undefined : new AnswerBudget(maxBytes);
  const polled: Message[] = [];
  for (const row of sql.deliverable(limit).all({ agent, now })) {
    // The payload column holds the payload's JSON as it is answered.
    const message = fromRow(row);
    if (budget && !budget.takes(Buffer.byteLength(row.payload), message)) break;
    message.attempts += 1;
    transitions.remove(row);
    transitions.audit(auditEntry(now, 'delivered', row, { mode: 'poll' }));
    polled.push(toMessage(message));
  }
  return polled;
}
