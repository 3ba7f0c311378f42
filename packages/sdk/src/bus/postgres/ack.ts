import { parseReceipt } from '../internal/receipt.ts';
import { hasNul } from './nul-text.ts';
import type { PgTransaction } from './transaction.ts';

/**
 * The common case of an ack in one statement: deletes the leased messages the receipts name and
 * audits `acked` (in receipt order) and counts them out of flight, if every receipt is valid at `now`. Resolves with how many it
 * acked, or undefined when some receipt is not valid: then it has deleted some rows and the caller
 * must roll back and find the bad receipt (checkReceipt) for the precise error.
 */
export async function ackIfAllValid(tx: PgTransaction, receipts: string[], now: number): Promise<number | undefined> {
  const distinct = [...new Set(receipts)];
  const parsed = distinct.map(parseReceipt);
  if (parsed.some((p) => p === undefined || hasNul(p.messageId))) return undefined;
  if (distinct.length === 0) return 0;
  const acked = await tx.run(
    `WITH r AS (SELECT * FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS r(id, token, n)),
      gone AS (
        DELETE FROM messages m USING r
        WHERE m.id = r.id AND m.lease_token = r.token AND m.state = 'in_flight' AND m.lease_expires_at > $3
        RETURNING m.id, m.recipient, r.n),
      counted AS (
        INSERT INTO queue_count_deltas (recipient, in_flight)
          SELECT recipient, -count(*) FROM gone GROUP BY recipient)
    INSERT INTO audit (at, event, message_id, agent, details)
      SELECT $3, 'acked', id, recipient, NULL FROM gone ORDER BY n`,
    [parsed.map((p) => p!.messageId), parsed.map((p) => p!.leaseToken), now],
  );
  // Two distinct receipts never match one row (one token per lease): all valid = all matched.
  return acked === distinct.length ? acked : undefined;
}
