import { toIso } from '../../internal/iso-time.ts';
import type { Delivery } from '../../schemas/lease.ts';
import type { Message } from '../../schemas/message.ts';
import { AnswerBudget } from '../internal/answer-budget.ts';
import { auditEntry } from '../internal/audit-entry.ts';
import { toMessage } from '../internal/message-record.ts';
import { makeReceipt } from '../internal/receipt.ts';
import type { LeaseRequest } from '../message-store.ts';
import type { MemoryMessages } from './messages.ts';

/**
 * Leases up to `limit` deliverable messages of an agent, after its housekeeping: each goes in
 * flight with a fresh receipt and one more attempt.
 */
export function leaseMessages(messages: MemoryMessages, request: LeaseRequest, now: number): Delivery[] {
  const mailbox = messages.housekeep(request.agent, now);
  const leaseExpiresAt = now + Math.round(request.leaseSeconds * 1000);
  const deliveries: Delivery[] = [];
  for (const entry of mailbox.deliverable(request.limit, now)) {
    const { receipt, leaseToken } = makeReceipt(entry.id);
    mailbox.ready.remove(entry);
    entry.state = 'in_flight';
    entry.attempts += 1;
    entry.leaseToken = leaseToken;
    entry.leaseExpiresAt = leaseExpiresAt;
    mailbox.inFlight.set(entry.id, entry);
    messages.audit(
      auditEntry(now, 'delivered', entry, { attempt: entry.attempts, leaseExpiresAt: toIso(leaseExpiresAt) }),
    );
    deliveries.push({ message: toMessage(entry), receipt, leaseExpiresAt: toIso(leaseExpiresAt) });
  }
  return deliveries;
}

/** The old bus's at-most-once poll: removes and returns up to `limit` deliverable messages, after housekeeping. */
export function pollMessages(
  messages: MemoryMessages,
  agent: string,
  limit: number,
  now: number,
  maxBytes?: number,
): Message[] {
  const mailbox = messages.housekeep(agent, now);
  const polled: Message[] = [];
  const budget = maxBytes === undefined ? undefined : new AnswerBudget(maxBytes);
  for (const entry of mailbox.deliverable(limit, now)) {
    if (budget && !budget.takes(Buffer.byteLength(JSON.stringify(entry.payload ?? null)), entry)) break;
    mailbox.ready.remove(entry);
    messages.delete(entry.id);
    entry.attempts += 1;
    messages.audit(auditEntry(now, 'delivered', entry, { mode: 'poll' }));
    polled.push(toMessage(entry));
  }
  return polled;
}
