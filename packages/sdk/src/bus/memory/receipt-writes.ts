import { toIso } from '../../internal/iso-time.ts';
import type { ExtendInput, ExtendResult, NackInput, NackResult } from '../../schemas/lease.ts';
import { auditEntry } from '../internal/audit-entry.ts';
import type { ResolvedStoreOptions } from '../internal/options.ts';
import { outcomeAfterNack } from '../internal/transitions.ts';
import type { MemoryMessages } from './messages.ts';

/** Acks receipts. Every receipt is checked before anything is deleted: one bad receipt acks nothing. */
export function ackLeased(messages: MemoryMessages, receipts: string[], now: number): number {
  const entries = new Set(receipts.map((receipt, i) => messages.checkReceipt(receipt, now, `receipts.${i}`)));
  for (const entry of entries) {
    messages.delete(entry.id);
    messages.mailbox(entry.to).inFlight.delete(entry.id);
    messages.audit(auditEntry(now, 'acked', entry));
  }
  return entries.size;
}

/** A nack: back to ready (after its backoff) or dead after its last attempt. */
export function nackLeased(
  messages: MemoryMessages,
  input: NackInput,
  now: number,
  options: ResolvedStoreOptions,
): NackResult {
  const entry = messages.checkReceipt(input.receipt, now);
  messages.audit(
    auditEntry(now, 'nacked', entry, { delaySeconds: input.delaySeconds ?? null, reason: input.reason ?? null }),
  );
  entry.lastError = input.reason ?? null;
  const outcome = outcomeAfterNack(entry.attempts, input.delaySeconds, now, options);
  messages.mailbox(entry.to).inFlight.delete(entry.id);
  if (outcome.state === 'dead') {
    messages.kill(entry, outcome.reason, now);
    return { id: entry.id, state: 'dead', attempts: entry.attempts, availableAt: null };
  }
  messages.makeReady(entry, outcome.availableAt);
  return { id: entry.id, state: 'ready', attempts: entry.attempts, availableAt: toIso(outcome.availableAt) };
}

/** Extends a lease, counted from `now`. */
export function extendLeased(messages: MemoryMessages, input: ExtendInput, now: number): ExtendResult {
  const entry = messages.checkReceipt(input.receipt, now);
  entry.leaseExpiresAt = now + Math.round(input.leaseSeconds * 1000);
  return { receipt: input.receipt, leaseExpiresAt: toIso(entry.leaseExpiresAt) };
}
