import { z } from 'zod';
import { AgentName, Cursor, intFromQuery, JsonValue, Timestamp } from './common.ts';
import { described } from './fields.ts';
import { lazyShape } from './lazy-shape.ts';
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
export const AuditEvent = z.object(
  lazyShape(() => ({
    seq: described(
      z.int().positive(),
      'Number of the event, unique on this bus. The trail lists events in its own order (by seq on SQLite and in memory; on PostgreSQL in commit order, which seq only roughly follows), and cursors page in that order',
    ),
    at: Timestamp.describe('When it happened'),
    event: AuditEventType.describe(
      'What happened to the message (`delivered`: leased or polled; `expired`: its TTL ran out; `lease_expired`: not acked, nacked or extended in time)',
    ),
    messageId: described(z.string(), 'The message id'),
    agent: AgentName.describe('The recipient of the message copy, for `sent` too (the sender is in `details.from`)'),
    details: described(
      z.record(z.string(), JsonValue).nullable(),
      'More about the event, or null: `sent` {from, topic}; `delivered` {attempt, leaseExpiresAt}, or {mode: "poll"}; `nacked` {delaySeconds, reason}; `dead_lettered` {reason}',
    ),
  })),
);
export type AuditEvent = z.infer<typeof AuditEvent>;

export const AuditQuery = z.strictObject(
  lazyShape(() => ({
    messageId: described(z.string().optional(), "Only this message's events"),
    agent: described(AgentName.optional(), 'Only events of messages to this recipient'),
    event: described(AuditEventType.optional(), 'Only events of this kind'),
    since: described(Timestamp.optional(), 'Only events at or after this time (ISO 8601)'),
    limit: intFromQuery({ min: 1, max: 1000, default: 100, description: 'Most events per page' }),
    cursor: described(Cursor.optional(), "The previous page's `nextCursor`; leave out for the first page"),
  })),
);
export type AuditQuery = z.infer<typeof AuditQuery>;

export const AuditPage = z.object(
  lazyShape(() => ({
    ...pageOf('events', AuditEvent, 'Events, oldest first (kept 7 days, at most 100,000)').shape,
    prunedThrough: described(
      Timestamp.nullable().optional(),
      'When the newest event retention removed happened; null when it never removed one. The trail is complete after this time. Absent from bus servers older than this field',
    ),
  })),
);
export type AuditPage = z.infer<typeof AuditPage>;
