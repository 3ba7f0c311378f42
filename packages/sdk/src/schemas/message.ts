import { z } from 'zod';
import { AgentName, intFromQuery, JsonValue, Timestamp, TopicName } from './common.ts';
import { listOf } from './list.ts';

/** Longest delivery delay a send may ask for: 7 days. */
export const MAX_DELAY_SECONDS = 7 * 24 * 3600;
/** Longest time-to-live a send may ask for: 30 days. */
export const MAX_TTL_SECONDS = 30 * 24 * 3600;
/** Most messages one batch send may carry. */
export const MAX_BATCH_SIZE = 100;
/** The `to` value that broadcasts a message to every known agent but the sender. */
export const BROADCAST = '*';

/** A message as the bus stores and delivers it. */
export const Message = z.object({
  id: z.string().describe('Unique message id'),
  from: AgentName,
  to: AgentName.describe('The recipient of this copy'),
  topic: TopicName.nullable().describe('The topic this copy was published to, or null for a direct send'),
  type: z.string(),
  payload: JsonValue,
  priority: z.number().int(),
  createdAt: Timestamp,
  availableAt: Timestamp.describe('When the message becomes (or became) deliverable'),
  expiresAt: Timestamp.nullable(),
  attempts: z.number().int().nonnegative().describe('Deliveries so far'),
  idempotencyKey: z.string().nullable(),
});
export type Message = z.infer<typeof Message>;

/** What a sender gives to send one message: to an agent (`to`), a topic (`topic`), or everyone (`to: "*"`). */
export const SendInput = z
  .strictObject({
    from: AgentName,
    to: z.union([AgentName, z.literal(BROADCAST)]).optional(),
    topic: TopicName.optional(),
    type: z.string().min(1).max(128).default('message'),
    payload: JsonValue.default(null),
    priority: z.number().int().min(-100).max(100).default(0).describe('Higher is delivered first'),
    delaySeconds: z.number().min(0).max(MAX_DELAY_SECONDS).default(0),
    ttlSeconds: z.number().positive().max(MAX_TTL_SECONDS).nullable().default(null),
    idempotencyKey: z.string().min(1).max(256).nullable().default(null),
  })
  .superRefine((value, ctx) => {
    if ((value.to === undefined) === (value.topic === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'exactly one of `to` or `topic` is required' });
    }
  });
/** A send as validated, with defaults applied. */
export type SendInput = z.infer<typeof SendInput>;
/** A send as a caller may write it, defaults optional. */
export type SendInputInit = z.input<typeof SendInput>;

/** A batch of up to {@link MAX_BATCH_SIZE} sends, applied atomically. */
export const BatchSendInput = z.strictObject({
  messages: z.array(SendInput).min(1).max(MAX_BATCH_SIZE),
});
export type BatchSendInput = z.infer<typeof BatchSendInput>;

/** What a send returns: every copy stored, and whether this was a repeat of an earlier send. */
export const SendResult = listOf('messages', Message).extend({
  duplicate: z.boolean().describe('True when an idempotency key matched an earlier send and nothing new was stored'),
});
export type SendResult = z.infer<typeof SendResult>;

/** `GET /messages`: the at-most-once poll of the old bus (receive and remove). */
export const PollQuery = z.strictObject({
  to: AgentName,
  limit: intFromQuery({ min: 1, max: 100, default: 10 }),
});
export type PollQuery = z.infer<typeof PollQuery>;

/** Messages returned by the at-most-once poll. */
export const MessageList = listOf('messages', Message);
export type MessageList = z.infer<typeof MessageList>;
