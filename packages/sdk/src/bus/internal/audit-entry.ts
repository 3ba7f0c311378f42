import { toIso } from '../../internal/iso-time.ts';
import type { AuditEvent, AuditEventType } from '../../schemas/audit.ts';
import type { JsonValue } from '../../schemas/common.ts';

/** An audit event before the store gives it a sequence number; `at` in milliseconds. */
export interface AuditEntry {
  at: number;
  event: AuditEventType;
  messageId: string;
  /** The recipient of the message copy. */
  agent: string;
  details: Record<string, JsonValue> | null;
}

/** Shorthand for building an {@link AuditEntry}. */
export function auditEntry(
  at: number,
  event: AuditEventType,
  message: { id: string; to: string },
  details: Record<string, JsonValue> | null = null,
): AuditEntry {
  return { at, event, messageId: message.id, agent: message.to, details };
}

/** The wire form of a stored entry. */
export function toAuditEvent(seq: number, entry: AuditEntry): AuditEvent {
  return {
    seq,
    at: toIso(entry.at),
    event: entry.event,
    messageId: entry.messageId,
    agent: entry.agent,
    details: entry.details,
  };
}
