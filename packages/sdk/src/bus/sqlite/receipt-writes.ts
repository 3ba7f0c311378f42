import { toIso } from '../../internal/iso-time.ts';
import type { ExtendInput, ExtendResult, NackInput, NackResult } from '../../schemas/lease.ts';
import { auditEntry } from '../internal/audit-entry.ts';
import type { ResolvedStoreOptions } from '../internal/options.ts';
import { checkReceipt } from '../internal/receipt-check.ts';
import { outcomeAfterNack } from '../internal/transitions.ts';
import type { LeaseRow } from './rows.ts';
import type { Statements } from './statements.ts';
import type { SqliteTransitions } from './transitions.ts';

/** Resolves a receipt to the row it leases, or throws (see {@link checkReceipt}); reads only. */
export function checkLease(sql: Statements, receipt: string, now: number, field?: string): LeaseRow {
  return checkReceipt(receipt, (id) => sql.leaseById.get(id), now, field);
}

/**
 * Checks every receipt of an ack before anything is deleted (one bad receipt acks nothing): the
 * leased rows by id, each once.
 */
export function checkLeases(sql: Statements, receipts: string[], now: number): Map<string, LeaseRow> {
  return new Map(receipts.map((receipt, i) => checkLease(sql, receipt, now, `receipts.${i}`)).map((r) => [r.id, r]));
}

/** Deletes the checked rows of an ack; how many. */
export function ackLeased(transitions: SqliteTransitions, rows: Map<string, LeaseRow>, now: number): number {
  for (const row of rows.values()) {
    transitions.remove(row);
    transitions.audit(auditEntry(now, 'acked', row));
  }
  return rows.size;
}

/** A nack of a checked row: back to ready (after its backoff) or dead after its last attempt. */
export function nackLeased(
  transitions: SqliteTransitions,
  row: LeaseRow,
  input: NackInput,
  now: number,
  options: ResolvedStoreOptions,
): NackResult {
  const reason = input.reason ?? null;
  transitions.audit(auditEntry(now, 'nacked', row, { delaySeconds: input.delaySeconds ?? null, reason }));
  const outcome = outcomeAfterNack(row.attempts, input.delaySeconds, now, options);
  if (outcome.state === 'dead') {
    transitions.kill(row, outcome.reason, now, reason);
    return { id: row.id, state: 'dead', attempts: row.attempts, availableAt: null };
  }
  transitions.makeReady(row, outcome.availableAt, now, reason);
  return { id: row.id, state: 'ready', attempts: row.attempts, availableAt: toIso(outcome.availableAt) };
}

/** Extends the lease of a checked row, counted from `now`. */
export function extendLeased(sql: Statements, row: LeaseRow, input: ExtendInput, now: number): ExtendResult {
  const leaseExpiresAt = now + Math.round(input.leaseSeconds * 1000);
  sql.extendLease.run(leaseExpiresAt, row.seq);
  return { receipt: input.receipt, leaseExpiresAt: toIso(leaseExpiresAt) };
}
