import { invalidField } from '../../internal/invalid-field.ts';

/**
 * A position in the PostgreSQL audit trail, which is ordered by (`txid`, `seq`): the writing
 * transaction's id (a decimal `xid8`, kept as text: it may pass 2^53) and the row's seq.
 */
export interface AuditPosition {
  txid: string;
  seq: number;
}

/** Before every event: the first page. Rows written before schema version 3 have `txid` 0. */
export const AUDIT_START: AuditPosition = { txid: '0', seq: 0 };

/** The cursor after `position`: `<txid>.<seq>`, opaque to clients. */
export function encodeAuditCursor(position: AuditPosition): string {
  return `${position.txid}.${position.seq}`;
}

/**
 * The position after which the next page starts; throws `validation_failed` for a malformed cursor.
 * A bare seq (a cursor of schema version 2, before the upgrade) is read as a position among the
 * rows written before the upgrade (`txid` 0), so a reader paging across the upgrade misses nothing.
 */
export function decodeAuditCursor(cursor: string): AuditPosition {
  const match = /^(?:(\d{1,20})\.)?(\d{1,15})$/.exec(cursor);
  const txid = BigInt(match?.[1] ?? '0');
  if (!match?.[2] || txid >= 2n ** 64n) {
    throw invalidField('cursor', 'not a cursor this list returned', 'invalid_cursor');
  }
  return { txid: String(txid), seq: Number(match[2]) };
}
