import type { AuditEventType } from '../../schemas/audit.ts';
import type { JsonValue } from '../../schemas/common.ts';
import type { AuditEntry } from '../internal/audit-entry.ts';
import type { StoredMessage } from '../internal/message-record.ts';

/**
 * The `messages` columns under the names of {@link StoredMessage} (quoted: PostgreSQL folds
 * unquoted names to lower case). `pg` parses the `json` payload and, with the pool's parser, the
 * `bigint` times.
 */
export const MESSAGE_COLUMNS = `seq, id, sender AS "from", recipient AS "to", topic, type, payload, priority,
  created_at AS "createdAt", available_at AS "availableAt", expires_at AS "expiresAt", attempts,
  idempotency_key AS "idempotencyKey", state, lease_token AS "leaseToken", lease_expires_at AS "leaseExpiresAt",
  dead_reason AS "deadReason", dead_at AS "deadAt", last_error AS "lastError"`;

/** A `messages` row as selected with {@link MESSAGE_COLUMNS}. */
export interface MessageRow extends StoredMessage {
  seq: number;
}

/** The columns a receipt check and a lease transition need: no payload to read. */
export const LEASE_COLUMNS = `seq, id, recipient AS "to", attempts, expires_at AS "expiresAt", state,
  lease_token AS "leaseToken", lease_expires_at AS "leaseExpiresAt", last_error AS "lastError", delayed`;

/** A `messages` row as selected with {@link LEASE_COLUMNS}; `delayed` tells a ready row's counted state. */
export type LeaseRow = Pick<
  MessageRow,
  'seq' | 'id' | 'to' | 'attempts' | 'expiresAt' | 'state' | 'leaseToken' | 'leaseExpiresAt' | 'lastError'
> & { delayed: boolean };

/** The audit columns under the names of {@link AuditRow}. */
export const AUDIT_COLUMNS = 'seq, at, event, message_id AS "messageId", agent, details';

/** An `audit` row (`details` parsed by `pg`). */
export interface AuditRow {
  seq: number;
  at: number;
  event: AuditEventType;
  messageId: string;
  agent: string;
  details: Record<string, JsonValue> | null;
}

/** Back to an {@link AuditEntry}. */
export function auditFromRow(row: AuditRow): AuditEntry {
  return { at: row.at, event: row.event, messageId: row.messageId, agent: row.agent, details: row.details };
}
