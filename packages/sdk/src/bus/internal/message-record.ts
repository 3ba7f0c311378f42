import { toIso } from '../../internal/iso-time.ts';
import type { JsonValue } from '../../schemas/common.ts';
import type { DeadLetter, DeadLetterReason } from '../../schemas/dead-letter.ts';
import type { Message } from '../../schemas/message.ts';

/** Where a stored message is in its life. */
export type MessageState = 'ready' | 'in_flight' | 'dead';

/** A message as both backends keep it: the wire {@link Message} with times in milliseconds. */
export interface MessageRecord {
  id: string;
  from: string;
  to: string;
  topic: string | null;
  type: string;
  payload: JsonValue;
  priority: number;
  createdAt: number;
  availableAt: number;
  expiresAt: number | null;
  attempts: number;
  idempotencyKey: string | null;
}

/** A {@link MessageRecord} with its delivery state: lease while in flight, reason while dead. */
export interface StoredMessage extends MessageRecord {
  state: MessageState;
  leaseToken: string | null;
  leaseExpiresAt: number | null;
  deadReason: DeadLetterReason | null;
  deadAt: number | null;
  lastError: string | null;
}

/** The wire form of a record. */
export function toMessage(record: MessageRecord): Message {
  return {
    id: record.id,
    from: record.from,
    to: record.to,
    topic: record.topic,
    type: record.type,
    payload: record.payload,
    priority: record.priority,
    createdAt: toIso(record.createdAt),
    availableAt: toIso(record.availableAt),
    expiresAt: record.expiresAt === null ? null : toIso(record.expiresAt),
    attempts: record.attempts,
    idempotencyKey: record.idempotencyKey,
  };
}

/** The wire form of a dead message; throws if the record is not dead. */
export function toDeadLetter(record: StoredMessage): DeadLetter {
  if (record.state !== 'dead' || record.deadReason === null || record.deadAt === null) {
    throw new Error(`message ${record.id} is not dead`);
  }
  return {
    message: toMessage(record),
    reason: record.deadReason,
    deadAt: toIso(record.deadAt),
    lastError: record.lastError,
  };
}

/** True when the message has a TTL and it has run out. */
export function isExpired(record: Pick<MessageRecord, 'expiresAt'>, nowMs: number): boolean {
  return record.expiresAt !== null && record.expiresAt <= nowMs;
}

/** Deliverable = ready, available, not expired. */
export function isDeliverable(
  record: Pick<StoredMessage, 'state' | 'availableAt' | 'expiresAt'>,
  nowMs: number,
): boolean {
  return record.state === 'ready' && record.availableAt <= nowMs && !isExpired(record, nowMs);
}
