import type { DeadLetterSelector } from '../../schemas/dead-letter.ts';
import { parseReceipt } from '../internal/receipt.ts';
import { hasNul } from './nul-text.ts';
import { LEASE_COLUMNS, type LeaseRow } from './rows.ts';
import type { PgTransaction } from './transaction.ts';

/** The leases the receipts name, locked for this transaction, by message id. */
export async function lockLeases(tx: PgTransaction, receipts: string[]): Promise<Map<string, LeaseRow>> {
  const ids = [...new Set(receipts.flatMap((receipt) => parseReceipt(receipt)?.messageId ?? []))].filter(
    (id) => !hasNul(id),
  );
  if (ids.length === 0) return new Map();
  const rows = await tx.rows<LeaseRow>(
    `SELECT ${LEASE_COLUMNS} FROM messages WHERE id = ANY($1::text[]) ORDER BY seq FOR UPDATE`,
    [ids],
  );
  return new Map(rows.map((row) => [row.id, row]));
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
