import type { FleetError } from '../../errors.ts';
import { invalidField } from '../../internal/invalid-field.ts';

function invalidCursor(): FleetError {
  return invalidField('cursor', 'not a cursor this list returned', 'invalid_cursor');
}

/** Cursor of the audit trail: the seq of the last event on the page. */
export function encodeSeqCursor(seq: number): string {
  return String(seq);
}

/** The seq after which the next page starts; throws `validation_failed` for a malformed cursor. */
export function decodeSeqCursor(cursor: string): number {
  if (!/^\d{1,15}$/.test(cursor)) throw invalidCursor();
  return Number(cursor);
}

/** Cursor of the dead-letter list, ordered by (deadAt, id): the last item of the page. */
export function encodeDeadCursor(deadAt: number, id: string): string {
  return Buffer.from(`${deadAt}:${id}`, 'utf8').toString('base64url');
}

/** The (deadAt, id) after which the next page starts; throws `validation_failed` for a malformed cursor. */
export function decodeDeadCursor(cursor: string): { deadAt: number; id: string } {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const match = /^(\d{1,15}):(.+)$/.exec(text);
  if (!match?.[1] || !match[2]) throw invalidCursor();
  return { deadAt: Number(match[1]), id: match[2] };
}
