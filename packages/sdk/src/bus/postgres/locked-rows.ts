import type { DeadLetterSelector } from '../../schemas/dead-letter.ts';
import { parseReceipt } from '../internal/receipt.ts';
import { leasedUnder } from '../internal/receipt-check.ts';
import { hasNul } from './nul-text.ts';
import { LEASE_COLUMNS, type LeaseRow } from './rows.ts';
import type { PgTransaction } from './transaction.ts';

/** A receipt a lease write names, parsed. */
interface NamedLease {
  receipt: string;
  messageId: string;
  leaseToken: string;
}

/** The well-formed receipts, once each; receipts whose message id has a NUL name no stored row. */
function namedLeases(receipts: string[]): NamedLease[] {
  return [...new Set(receipts)].flatMap((receipt) => {
    const parsed = parseReceipt(receipt);
    return parsed && !hasNul(parsed.messageId) ? [{ receipt, ...parsed }] : [];
  });
}

/**
 * The rows the receipts name, by message id, for `checkReceipt` at `now`. Only leases still valid
 * under a receipt (in flight under its token, not run out at `now`) are locked for this
 * transaction, in seq order (as every multi-row lock of this store); the rows of the other
 * receipts are read without a lock, only to tell `receipt_unknown` from `receipt_expired`, and
 * none of them passes that check. A stale receipt must not lock its row: housekeeping and the
 * claim pass over locked rows (`FOR UPDATE SKIP LOCKED`), so a receive running meanwhile would
 * leave the expired lease in flight and deliver a later message first, or nothing. The
 * one-statement ack (`ack_found`, `ack_matched`) works the same way.
 */
export async function lockLeases(tx: PgTransaction, receipts: string[], now: number): Promise<Map<string, LeaseRow>> {
  const rows = new Map<string, LeaseRow>();
  let pending = namedLeases(receipts);
  while (pending.length > 0) {
    // A receipt with a NUL names no lease (tokens have none), and PostgreSQL text cannot hold one.
    const lockable = pending.filter((lease) => !hasNul(lease.receipt));
    if (lockable.length > 0) {
      // The receipt is `<id>~<token>` and the token has no `~`: equal receipts, equal id and token.
      const locked = await tx.rows<LeaseRow>(
        `SELECT ${LEASE_COLUMNS} FROM messages WHERE id = ANY($1::text[]) AND id || '~' || lease_token = ANY($2::text[])
          AND state = 'in_flight' AND lease_expires_at > $3 ORDER BY seq FOR UPDATE`,
        [lockable.map((lease) => lease.messageId), lockable.map((lease) => lease.receipt), now],
      );
      for (const row of locked) rows.set(row.id, row);
    }
    const unmatched = pending.filter((lease) => !rows.has(lease.messageId));
    if (unmatched.length === 0) break;
    const seen = await tx.rows<LeaseRow>(`SELECT ${LEASE_COLUMNS} FROM messages WHERE id = ANY($1::text[])`, [
      unmatched.map((lease) => lease.messageId),
    ]);
    for (const row of seen) rows.set(row.id, row);
    // Valid now but not when locking: an extend with an earlier clock committed in between. Lock
    // it in another round (a deadlock this may cause is detected, and the transaction run again).
    pending = unmatched.filter((lease) => leasedUnder(rows.get(lease.messageId), lease.leaseToken, now));
    for (const lease of pending) rows.delete(lease.messageId);
  }
  return rows;
}

/**
 * The dead letters a selector names, locked for this transaction, without duplicates: those of an
 * agent in dead-letter list order (time of death, then id), named ones in the order given, as the
 * other backends. Every multi-row lock in this store is taken in seq order, so two of them cannot
 * deadlock.
 */
export async function lockDeadLetters(tx: PgTransaction, selector: DeadLetterSelector): Promise<LeaseRow[]> {
  if (selector.ids === undefined) {
    if (selector.agent === undefined) return [];
    return tx.rows<LeaseRow>(
      `SELECT * FROM (SELECT ${LEASE_COLUMNS}, dead_at AS "deadAt" FROM messages
          WHERE state = 'dead' AND recipient = $1 ORDER BY seq FOR UPDATE) locked
        ORDER BY "deadAt", id`,
      [selector.agent],
    );
  }
  const found = await tx.rows<LeaseRow>(
    `SELECT ${LEASE_COLUMNS} FROM messages WHERE state = 'dead' AND id = ANY($1::text[]) ORDER BY seq FOR UPDATE`,
    [selector.ids.filter((id) => !hasNul(id))],
  );
  const byId = new Map(found.map((row) => [row.id, row]));
  // In the order the ids were given, as the other backends do.
  return [...new Set(selector.ids)].flatMap((id) => byId.get(id) ?? []);
}
