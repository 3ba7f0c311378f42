import { toIso } from '../../internal/iso-time.ts';
import type { ExtendInput, ExtendResult, NackInput, NackResult } from '../../schemas/lease.ts';
import { auditEntry } from '../internal/audit-entry.ts';
import type { ResolvedStoreOptions } from '../internal/options.ts';
import { checkReceipt } from '../internal/receipt-check.ts';
import { outcomeAfterNack } from '../internal/transitions.ts';
import { lockLeases } from './locked-rows.ts';
import { assertReasonStorable } from './nul-text.ts';
import type { LeaseRow } from './rows.ts';
import type { PgTransaction } from './transaction.ts';
import type { PgTransitions } from './transitions.ts';

/**
 * Acks receipts one by one under row locks, in the caller's transaction: the way that finds the
 * bad receipt for its precise error (the shared ack statement only says that one is bad). Every
 * receipt is checked before anything is deleted: one bad receipt acks nothing.
 */
export async function ackCheckingEach(tx: PgTransaction, receipts: string[], now: number): Promise<number> {
  const leases = await lockLeases(tx, receipts, now);
  const rows = new Map<string, LeaseRow>();
  receipts.forEach((receipt, i) => {
    const row = checkReceipt(receipt, (id) => leases.get(id), now, `receipts.${i}`);
    rows.set(row.id, row);
  });
  await tx.run('DELETE FROM messages WHERE seq = ANY($1::bigint[])', [[...rows.values()].map((row) => row.seq)]);
  for (const row of rows.values()) {
    tx.counts.add(row.to, 'inFlight', -1);
    tx.audit(auditEntry(now, 'acked', row));
  }
  return rows.size;
}

/** A nack in the caller's transaction: back to ready (after its backoff) or dead after its last attempt. */
export async function nackLeased(
  tx: PgTransaction,
  transitions: PgTransitions,
  input: NackInput,
  now: number,
  options: ResolvedStoreOptions,
): Promise<NackResult> {
  const leases = await lockLeases(tx, [input.receipt], now);
  const row = checkReceipt(input.receipt, (id) => leases.get(id), now);
  assertReasonStorable(input.reason);
  const reason = input.reason ?? null;
  tx.audit(auditEntry(now, 'nacked', row, { delaySeconds: input.delaySeconds ?? null, reason }));
  const outcome = outcomeAfterNack(row.attempts, input.delaySeconds, now, options);
  if (outcome.state === 'dead') {
    await transitions.kill(tx, row, outcome.reason, now, reason);
    return { id: row.id, state: 'dead', attempts: row.attempts, availableAt: null };
  }
  await transitions.makeReady(tx, row, outcome.availableAt, reason, now);
  return { id: row.id, state: 'ready', attempts: row.attempts, availableAt: toIso(outcome.availableAt) };
}

/** Extends a lease in the caller's transaction, counted from `now`. */
export async function extendLeased(tx: PgTransaction, input: ExtendInput, now: number): Promise<ExtendResult> {
  const leases = await lockLeases(tx, [input.receipt], now);
  const row = checkReceipt(input.receipt, (id) => leases.get(id), now);
  const leaseExpiresAt = now + Math.round(input.leaseSeconds * 1000);
  await tx.run('UPDATE messages SET lease_expires_at = $1 WHERE seq = $2', [leaseExpiresAt, row.seq]);
  return { receipt: input.receipt, leaseExpiresAt: toIso(leaseExpiresAt) };
}
