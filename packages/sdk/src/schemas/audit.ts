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
  at: Timestamp.describe('When it happened'),
  event: AuditEventType.describe(
    'What happened to the message (`delivered`: leased or polled; `expired`: its TTL ran out; `lease_expired`: not acked, nacked or extended in time)',
  ),
  messageId: z.string().describe('The message id'),
  agent: AgentName.describe('The recipient of the message copy, for `sent` too (the sender is in `details.from`)'),
  details: z
    .record(z.string(), JsonValue)
    .nullable()
    .describe(
      'More about the event, or null: `sent` {from, topic}; `delivered` {attempt, leaseExpiresAt}, or {mode: "poll"}; `nacked` {delaySeconds, reason}; `dead_lettered` {reason}',
    ),
});
export type AuditEvent = z.infer<typeof AuditEvent>;

export const AuditQuery = z.strictObject({
  messageId: z.string().optional().describe("Only this message's events"),
  agent: AgentName.optional().describe('Only events of messages to this recipient'),
  event: AuditEventType.optional().describe('Only events of this kind'),
  limit: intFromQuery({ min: 1, max: 1000, default: 100 }).describe('Most events per page'),
  cursor: Cursor.optional().describe("The previous page's `nextCursor`; leave out for the first page"),
});
export type AuditQuery = z.infer<typeof AuditQuery>;

export const AuditPage = pageOf('events', AuditEvent, 'Events, oldest first (kept 7 days, at most 100,000)');
export type AuditPage = z.infer<typeof AuditPage>;
