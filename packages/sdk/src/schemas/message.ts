import { z } from 'zod';
import { AgentName, intFromQuery, JsonValue, Timestamp, TopicName } from './common.ts';
import { described, NonNegativeInt } from './fields.ts';
import { lazyShape } from './lazy-shape.ts';
import { listFields, listOf } from './list.ts';
import { wellFormed } from './well-formed.ts';

/** Longest delivery delay a send may ask for: 7 days. */
export const MAX_DELAY_SECONDS = 7 * 24 * 3600;
/** Longest time-to-live a send may ask for: 30 days. */
export const MAX_TTL_SECONDS = 30 * 24 * 3600;
/** Most messages one batch send may carry. */
export const MAX_BATCH_SIZE = 100;
/** Lowest and highest priority a send may ask for (higher is delivered first). */
export const MIN_PRIORITY = -100;
export const MAX_PRIORITY = 100;
/**
 * Most bytes of JSON one send or batch may answer with in copies its body does not bound: the
 * copies of a fan-out (a topic or a broadcast reaching two agents or more, one copy per recipient)
 * and those a repeated idempotency key answers with. Past it the send is refused with 413
 * `payload_too_large` before anything is stored. 48 MiB keeps the answer inside what a client reads
 * by default (`maxResponseBytes`, 64 MiB).
 */
export const MAX_SEND_COPIES_BYTES = 48 * 1024 * 1024;
/**
 * Most bytes one `GET /messages` (the at-most-once poll) answers with, counted as each message's
 * payload JSON and text fields (names, type, key) as JSON plus 512 bytes for the rest, never less
 * than it takes in the answer: the poll stops taking messages before the next would
 * pass it (one message is always taken). A poll removes what it returns, so an answer larger than
 * the client reads (`maxResponseBytes`, 64 MiB by default) would lose its messages.
 */
export const MAX_POLL_ANSWER_BYTES = 48 * 1024 * 1024;
/** The `to` value that broadcasts a message to every known agent but the sender. */
export const BROADCAST = '*';

/** A message as the bus stores and delivers it. */
export const Message = z.object(
  lazyShape(() => ({
    id: described(z.string(), 'Unique message id; ids sort by creation time'),
    from: AgentName.describe('The sending agent'),
    to: AgentName.describe('The recipient of this copy'),
    topic: described(TopicName.nullable(), 'The topic this copy was published to, or null for a direct send'),
    type: described(
      z.string(),
      'What kind of message it is (e.g. `task`), as the sender set it; the bus does not read it',
    ),
    payload: JsonValue.describe('The content, any JSON value, as sent'),
    priority: described(z.int(), 'Delivery priority, -100 to 100: higher is delivered first'),
    createdAt: Timestamp.describe('When it was sent'),
    availableAt: Timestamp.describe(
      "When it becomes (or became) deliverable: after the send's `delaySeconds`, or a nack's delay or backoff",
    ),
    expiresAt: described(
      Timestamp.nullable(),
      'When its TTL runs out: it is never delivered after this and becomes a dead letter (reason `expired`); null: never',
    ),
    attempts: NonNegativeInt.describe(
      'How many times it has been delivered, counting the delivery that returns it (0 when just sent); delivered 5 times (the default limit) without an ack, it becomes a dead letter',
    ),
    idempotencyKey: described(z.string().nullable(), "The sender's idempotency key, or null"),
  })),
);
export type Message = z.infer<typeof Message>;

/** What a sender gives to send one message: to an agent (`to`), a topic (`topic`), or everyone (`to: "*"`). */
export const SendInput = z
  .strictObject(
    lazyShape(() => ({
      from: AgentName.describe('The sending agent'),
      to: described(
        z.union([AgentName, z.literal(BROADCAST)]).optional(),
        'The recipient agent, or `"*"` for one copy to every agent the bus knows but the sender; or give `topic`',
      ),
      topic: described(
        TopicName.optional(),
        'The topic to publish to: one copy per subscribed agent (none without subscribers); or give `to`',
      ),
      type: described(
        z.string().check(z.minLength(1), z.maxLength(128), wellFormed).default('message'),
        'What kind of message it is (e.g. `task`), for the receiver to dispatch on; the bus does not read it',
      ),
      payload: described(JsonValue.default(null), 'The content: any JSON value'),
      priority: described(
        z.int().check(z.gte(MIN_PRIORITY), z.lte(MAX_PRIORITY)).default(0),
        'Higher is delivered first; FIFO within a priority, per recipient',
      ),
      delaySeconds: described(
        z.number().check(z.gte(0), z.lte(MAX_DELAY_SECONDS)).default(0),
        'Seconds before the message becomes deliverable (up to 7 days)',
      ),
      ttlSeconds: described(
        z.number().check(z.positive(), z.lte(MAX_TTL_SECONDS)).nullable().default(null),
        'Seconds until the message expires (up to 30 days): never delivered after that, it becomes a dead letter (reason `expired`); null: never expires',
      ),
      idempotencyKey: described(
        z.string().check(z.minLength(1), z.maxLength(256), wellFormed).nullable().default(null),
        'Deduplication key: the same key from the same sender within 5 minutes (the default window) stores nothing and answers the original copies with `duplicate: true`; null: no deduplication',
      ),
    })),
  )
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
export const BatchSendInput = z.strictObject(
  lazyShape(() => ({
    messages: described(
      z.array(SendInput).check(z.minLength(1), z.maxLength(MAX_BATCH_SIZE)),
      'The sends, each like the body of `POST /message`: all are stored, or none',
    ),
  })),
);
export type BatchSendInput = z.infer<typeof BatchSendInput>;

/** What a send returns: every copy stored, and whether this was a repeat of an earlier send. */
export const SendResult = z.object(
  lazyShape(() => ({
    ...listFields(
      'messages',
      Message,
      'The copies stored, one per recipient, in request order; on a repeated idempotency key, the original copies',
    ),
    duplicate: described(
      z.boolean(),
      'True when every send repeated an earlier idempotency key, so nothing new was stored',
    ),
  })),
);
export type SendResult = z.infer<typeof SendResult>;

/** `GET /messages`: the at-most-once poll of the old bus (receive and remove). */
export const PollQuery = z.strictObject(
  lazyShape(() => ({
    to: AgentName.describe('The agent whose messages to take'),
    limit: intFromQuery({ min: 1, max: 100, default: 10, description: 'Most messages to take' }),
    maxBytes: intFromQuery({
      min: 1024,
      max: MAX_POLL_ANSWER_BYTES,
      description:
        'Most bytes to answer with, counted as each message payload JSON and text fields as JSON plus 512 bytes, never less than it takes in the answer: messages past it stay queued (one is always taken). Default and most: 48 MiB',
    }),
  })),
);
export type PollQuery = z.infer<typeof PollQuery>;

/** Messages returned by the at-most-once poll. */
export const MessageList = listOf(
  'messages',
  Message,
  'The messages taken, higher priority first, then in the order sent; removed from the bus, never delivered again',
);
export type MessageList = z.infer<typeof MessageList>;
