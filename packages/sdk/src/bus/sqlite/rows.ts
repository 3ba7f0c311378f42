import type { AuditEventType } from '../../schemas/audit.ts';
import type { JsonValue } from '../../schemas/common.ts';
import type { AuditEntry } from '../internal/audit-entry.ts';
import type { MessageRecord, StoredMessage } from '../internal/message-record.ts';
import type { IdempotencyRecord } from '../internal/send-plan.ts';

/** The `messages` columns under the names of {@link StoredMessage}, so a row maps with one JSON.parse. */
export const MESSAGE_COLUMNS = `seq, id, sender AS "from", recipient AS "to", topic, type, payload, priority,
  created_at AS createdAt, available_at AS availableAt, expires_at AS expiresAt, attempts,
  idempotency_key AS idempotencyKey, state, lease_token AS leaseToken, lease_expires_at AS leaseExpiresAt,
  dead_reason AS deadReason, dead_at AS deadAt, last_error AS lastError, delayed`;

/** A `messages` row as selected with {@link MESSAGE_COLUMNS}: the payload still JSON text. */
export interface MessageRow extends Omit<StoredMessage, 'payload'> {
  seq: number;
  payload: string;
  /** 1 when a ready row is counted as delayed in `queue_counts`, else 0. */
  delayed: number;
}

/** The columns a receipt check and a lease transition need: no payload to read or parse. */
export const LEASE_COLUMNS = `seq, id, recipient AS "to", attempts, expires_at AS expiresAt, state,
  lease_token AS leaseToken, lease_expires_at AS leaseExpiresAt, last_error AS lastError, delayed`;

/** A `messages` row as selected with {@link LEASE_COLUMNS}. */
export type LeaseRow = Pick<
  MessageRow,
  'seq' | 'id' | 'to' | 'attempts' | 'expiresAt' | 'state' | 'leaseToken' | 'leaseExpiresAt' | 'lastError' | 'delayed'
>;

/**
 * A row of {@link MESSAGE_COLUMNS} read in raw mode (an array, in column order) as a
 * {@link MessageRow}. better-sqlite3 builds a row object property by property (about 2 us for these
 * 20 columns); one object literal costs next to nothing. Tested against the driver's own objects.
 */
export function messageRowOf(r: unknown[]): MessageRow {
  return {
    seq: r[0] as number,
    id: r[1] as string,
    from: r[2] as string,
    to: r[3] as string,
    topic: r[4] as string | null,
    type: r[5] as string,
    payload: r[6] as string,
    priority: r[7] as number,
    createdAt: r[8] as number,
    availableAt: r[9] as number,
    expiresAt: r[10] as number | null,
    attempts: r[11] as number,
    idempotencyKey: r[12] as string | null,
    state: r[13] as MessageRow['state'],
    leaseToken: r[14] as string | null,
    leaseExpiresAt: r[15] as number | null,
    deadReason: r[16] as MessageRow['deadReason'],
    deadAt: r[17] as number | null,
    lastError: r[18] as string | null,
    delayed: r[19] as number,
  };
}

/** A row of {@link LEASE_COLUMNS} read in raw mode as a {@link LeaseRow} (see {@link messageRowOf}). */
export function leaseRowOf(r: unknown[]): LeaseRow {
  return {
    seq: r[0] as number,
    id: r[1] as string,
    to: r[2] as string,
    attempts: r[3] as number,
    expiresAt: r[4] as number | null,
    state: r[5] as LeaseRow['state'],
    leaseToken: r[6] as string | null,
    leaseExpiresAt: r[7] as number | null,
    lastError: r[8] as string | null,
    delayed: r[9] as number,
  };
}

/** A stored message with its row position (the FIFO tiebreak). */
export interface StoredRow extends StoredMessage {
  seq: number;
}

/** Parses the payload of a row. */
export function fromRow(row: MessageRow): StoredRow {
  return { ...row, payload: JSON.parse(row.payload) as JsonValue };
}

/**
 * The positional parameters of the insert statement for one new (ready) copy: counted as delayed
 * when it becomes available after the moment it was sent.
 */
export function messageParams(record: MessageRecord, payload: string) {
  return [
    record.id,
    record.from,
    record.to,
    record.topic,
    record.type,
    payload,
    record.priority,
    record.createdAt,
    record.availableAt,
    record.expiresAt,
    record.attempts,
    record.idempotencyKey,
    isCountedDelayed(record) ? 1 : 0,
  ] as const;
}

/** True when a new copy is counted as delayed: it becomes available after the moment it was sent. */
export function isCountedDelayed(record: Pick<MessageRecord, 'availableAt' | 'createdAt'>): boolean {
  return record.availableAt > record.createdAt;
}

/** An `audit` row. */
export interface AuditRow {
  seq: number;
  at: number;
  event: AuditEventType;
  messageId: string;
  agent: string;
  details: string | null;
}

/** Back to an {@link AuditEntry}. */
export function auditFromRow(row: AuditRow): AuditEntry {
  return {
    at: row.at,
    event: row.event,
    messageId: row.messageId,
    agent: row.agent,
    details: row.details === null ? null : (JSON.parse(row.details) as Record<string, JsonValue>),
  };
}

/** An `idempotency_keys` row. */
export interface IdempotencyRow {
  at: number;
  response: string;
}

/** Back to an {@link IdempotencyRecord}. */
export function idempotencyFromRow(from: string, key: string, row: IdempotencyRow): IdempotencyRecord {
  return { from, key, at: row.at, messages: JSON.parse(row.response) as IdempotencyRecord['messages'] };
}
