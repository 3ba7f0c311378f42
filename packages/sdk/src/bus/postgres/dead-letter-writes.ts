import type { DeadLetterSelector } from '../../schemas/dead-letter.ts';
import { auditEntry } from '../internal/audit-entry.ts';
import { isExpired } from '../internal/message-record.ts';
import { lockDeadLetters } from './locked-rows.ts';
import type { PgTransaction } from './transaction.ts';

/**
 * Sends the selected dead letters back to ready in the caller's transaction, each in its original
 * place in delivery order (seq is kept) with its attempts reset; a TTL that has passed is dropped.
 */
export async function redriveDeadLetters(
  tx: PgTransaction,
  selector: DeadLetterSelector,
  now: number,
): Promise<number> {
  const rows = await lockDeadLetters(tx, selector);
  if (rows.length === 0) return 0;
  await tx.run(
    `UPDATE messages m SET state = 'ready', attempts = 0, available_at = $1, expires_at = u.expires_at,
      dead_reason = NULL, dead_at = NULL, last_error = NULL, delayed = false
      FROM unnest($2::bigint[], $3::bigint[]) AS u(seq, expires_at) WHERE m.seq = u.seq`,
    [now, rows.map((row) => row.seq), rows.map((row) => (isExpired(row, now) ? null : row.expiresAt))],
  );
  for (const row of rows) {
    tx.counts.move(row.to, 'dead', 'ready');
    tx.audit(auditEntry(now, 'redriven', row));
  }
  return rows.length;
}

/** Deletes the selected dead letters in the caller's transaction. */
export async function purgeDeadLetters(tx: PgTransaction, selector: DeadLetterSelector, now: number): Promise<number> {
  const rows = await lockDeadLetters(tx, selector);
  if (rows.length === 0) return 0;
  await tx.run('DELETE FROM messages WHERE seq = ANY($1::bigint[])', [rows.map((row) => row.seq)]);
  for (const row of rows) {
    tx.counts.add(row.to, 'dead', -1);
    tx.audit(auditEntry(now, 'purged', row));
  }
  return rows.length;
}
