import { parseReceipt } from '../internal/receipt.ts';
import { hasNul } from './nul-text.ts';
import type { StatementBuilder } from './statement.ts';

/** Reads the acks' outcome from the statement's result row. */
export type AckOutcomes = (row: Record<string, unknown>) => (number | undefined)[];

/**
 * Adds the acks of several requests to a statement (parts `ack_*`, the final column `acks`): for
 * each request whose receipts are all valid at `now` (in flight, same lease token, lease not run
 * out), deletes the messages, audits `acked` (in receipt order) and counts them out of flight; a
 * request with any invalid receipt is left untouched. The outcome per request is how many it
 * acked, or undefined when it acked nothing because some receipt is not valid (the caller finds
 * which, for the precise error). Duplicate receipts within a request count once; two requests of
 * one statement must not share a receipt.
 */
export function addAckRequests(
  statement: StatementBuilder,
  requests: readonly (readonly string[])[],
  now: number,
): { column: string; outcomes: AckOutcomes } {
  const known: (number | undefined)[] = requests.map(() => undefined);
  const ids: string[] = [];
  const tokens: string[] = [];
  const owners: number[] = [];
  const expected: number[] = [];
  requests.forEach((receipts, r) => {
    const distinct = [...new Set(receipts)];
    const parsed = distinct.map(parseReceipt);
    expected.push(distinct.length);
    if (distinct.length === 0) known[r] = 0;
    if (distinct.length === 0 || parsed.some((p) => p === undefined || hasNul(p.messageId) || hasNul(p.leaseToken))) {
      return;
    }
    for (const p of parsed) {
      ids.push(p!.messageId);
      tokens.push(p!.leaseToken);
      owners.push(r + 1);
    }
  });
  if (ids.length === 0) return { column: 'NULL::json AS acks', outcomes: () => known };
  const at = statement.param(now, 'bigint');
  statement
    .add(
      `SELECT * FROM unnest(${statement.param(ids, 'text[]')}, ${statement.param(tokens, 'text[]')},
        ${statement.param(owners, 'int[]')}) WITH ORDINALITY AS r(id, token, request, n)`,
      'ack_receipts',
    )
    .add(
      // Per receipt, a lookup by id, the only condition inside the fence (OFFSET 0: the others stay
      // outside), so no plan can walk the leases in flight by expiry instead (a generic plan did,
      // filtering every unexpired lease for each receipt). No lock yet: a stale receipt must not
      // wait for a row someone else holds.
      `SELECT m.seq, r.token, r.request, r.n FROM ack_receipts r CROSS JOIN LATERAL (
        SELECT seq, lease_token, state, lease_expires_at FROM messages WHERE id = r.id OFFSET 0) m
      WHERE m.lease_token = r.token AND m.state = 'in_flight' AND m.lease_expires_at > ${at}`,
      'ack_found',
    )
    .add(
      // Then the rows that matched, each locked by primary key (again the only condition inside a
      // fence, or a plan may walk the leases instead), in seq order (as every multi-row lock of
      // this store), the conditions checked again on the row as locked.
      `SELECT m.seq, f.request, f.n FROM (SELECT * FROM ack_found ORDER BY seq) f CROSS JOIN LATERAL (
        SELECT seq, lease_token, state, lease_expires_at FROM messages WHERE seq = f.seq OFFSET 0 FOR UPDATE) m
      WHERE m.lease_token = f.token AND m.state = 'in_flight' AND m.lease_expires_at > ${at}`,
      'ack_matched',
    )
    .add(
      `SELECT request FROM ack_matched GROUP BY request
      HAVING count(*) = (${statement.param(expected, 'int[]')})[request]`,
      'ack_valid',
    )
    .add(
      `DELETE FROM messages m USING ack_matched a
      WHERE m.seq = ANY (ARRAY(SELECT seq FROM ack_matched)) AND m.seq = a.seq
        AND a.request IN (SELECT request FROM ack_valid)
      RETURNING m.id, m.recipient, a.request, a.n`,
      'ack_gone',
    )
    .add(
      'INSERT INTO queue_count_deltas (recipient, in_flight) SELECT recipient, -count(*) FROM ack_gone GROUP BY recipient',
    )
    .add(
      `INSERT INTO audit (at, event, message_id, agent, details)
      SELECT ${at}, 'acked', id, recipient, NULL FROM ack_gone ORDER BY n`,
    );
  return {
    column: `(SELECT json_object_agg(request, acked) FROM (
        SELECT request, count(*) AS acked FROM ack_gone GROUP BY request) g) AS acks`,
    outcomes: (row) => {
      const acked = (row.acks ?? {}) as Record<string, number>;
      return known.map((value, r) => {
        if (value !== undefined) return value;
        // One lease token per lease: all valid = every distinct receipt matched.
        const count = acked[String(r + 1)];
        return count === expected[r] ? count : undefined;
      });
    },
  };
}
