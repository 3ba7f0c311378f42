import { z } from 'zod';
import { AgentName, Cursor, intFromQuery, JsonValue, Timestamp } from './common.ts';
import { pageOf } from './list.ts';

/** Every transition a message goes through. */
export const AuditEventType = z.enum([
  'sent',
  'delivered',
  'acked',
  'nacked',
  'lease_expired',
  'expired',
  'dead_lettered',
  'redriven',
  'purged',
]);
export type AuditEventType = z.infer<typeof AuditEventType>;

/** One entry of the audit trail. */
export const AuditEvent = z.object({
  seq: z.number().int().positive().describe('Position in the trail; increases with time'),
  at: Timestamp,
  event: AuditEventType,
  messageId: z.string(),
  agent: AgentName.describe('The agent the transition concerns (the recipient, or the sender for `sent`)'),
  details: z.record(z.string(), JsonValue).nullable(),
});
export type AuditEvent = z.infer<typeof AuditEvent>;

export const AuditQuery = z.strictObject({
  messageId: z.string().optional(),
  agent: AgentName.optional(),
  event: AuditEventType.optional(),
  limit: intFromQuery({ min: 1, max: 1000, default: 100 }),
  cursor: Cursor.optional(),
});
export type AuditQuery = z.infer<typeof AuditQuery>;

export const AuditPage = pageOf('events', AuditEvent);
export type AuditPage = z.infer<typeof AuditPage>;
