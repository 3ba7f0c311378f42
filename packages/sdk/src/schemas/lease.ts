import { z } from 'zod';
import { AgentName, Timestamp } from './common.ts';
import { described, NonNegativeInt } from './fields.ts';
import { lazyShape } from './lazy-shape.ts';
import { listOf } from './list.ts';
import { MAX_BATCH_SIZE, MAX_DELAY_SECONDS, Message } from './message.ts';
import { wellFormed } from './well-formed.ts';

/** Longest lease a receiver may hold without extending it: 12 hours. */
export const MAX_LEASE_SECONDS = 12 * 3600;
/** Longest a leased receive may wait for a message. */
export const MAX_WAIT_SECONDS = 20;

/** A leased (at-least-once) receive. */
export const ReceiveInput = z.strictObject(
  lazyShape(() => ({
    agent: AgentName.describe('The agent whose messages to receive'),
    limit: described(
      z.int().check(z.gte(1), z.lte(MAX_BATCH_SIZE)).default(1),
      'Most messages to lease at once; fewer when fewer are ready',
    ),
    leaseSeconds: described(
      z.number().check(z.positive(), z.lte(MAX_LEASE_SECONDS)).default(30),
      'Seconds the messages stay invisible to other receivers (up to 12 hours); unless acked, nacked or extended by then, they are delivered again',
    ),
    waitSeconds: described(
      z.number().check(z.gte(0), z.lte(MAX_WAIT_SECONDS)).default(0),
      'Long poll: when no message is ready, wait up to this many seconds for one; the answer comes as soon as one is leased (0: answer at once); set the HTTP timeout above it',
    ),
  })),
);
export type ReceiveInput = z.infer<typeof ReceiveInput>;
export type ReceiveInputInit = z.input<typeof ReceiveInput>;

/** One leased message: invisible to other receivers until acked, nacked or the lease runs out. */
export const Delivery = z.object(
  lazyShape(() => ({
    message: Message.describe('The message; its `attempts` counts this delivery'),
    receipt: described(z.string(), 'Opaque handle for ack, nack and extend; valid while the lease is'),
    leaseExpiresAt: Timestamp.describe(
      'When the lease runs out and the message is delivered again, unless acked, nacked or extended',
    ),
  })),
);
export type Delivery = z.infer<typeof Delivery>;

/** What a leased receive returns. */
export const ReceiveResult = listOf(
  'deliveries',
  Delivery,
  'The leased messages, higher priority first, then in the order sent; empty when none was ready within `waitSeconds`',
);
export type ReceiveResult = z.infer<typeof ReceiveResult>;

/** Acknowledge (and so remove) leased messages; all receipts must be valid or nothing is acked. */
export const AckInput = z.strictObject(
  lazyShape(() => ({
    receipts: described(
      z.array(z.string().check(z.minLength(1), z.maxLength(256))).check(z.minLength(1), z.maxLength(MAX_BATCH_SIZE)),
      'Receipts from `POST /receive` (`deliveries[].receipt`); if any is unknown or expired, nothing is acked',
    ),
  })),
);
export type AckInput = z.infer<typeof AckInput>;

export const AckResult = z.object(
  lazyShape(() => ({
    acked: NonNegativeInt.describe(
      'How many messages were acked and so removed for good (a receipt given twice counts once)',
    ),
  })),
);
export type AckResult = z.infer<typeof AckResult>;

/** Give a leased message back: redelivered after `delaySeconds`, or after an exponential backoff with jitter. */
export const NackInput = z.strictObject(
  lazyShape(() => ({
    receipt: described(
      z.string().check(z.minLength(1), z.maxLength(256)),
      'The receipt from `POST /receive` (`deliveries[].receipt`)',
    ),
    delaySeconds: described(
      z.number().check(z.gte(0), z.lte(MAX_DELAY_SECONDS)).optional(),
      'Seconds before it is delivered again (up to 7 days); without it, an exponential backoff with jitter: at most 1 s after the first attempt, doubling per attempt up to 300 s',
    ),
    reason: described(
      z.string().check(z.maxLength(1000), wellFormed).optional(),
      "Why processing failed; kept in the audit trail and as the dead letter's `lastError`",
    ),
  })),
);
export type NackInput = z.infer<typeof NackInput>;

export const NackResult = z.object(
  lazyShape(() => ({
    id: described(z.string(), 'The message id'),
    state: described(
      z.enum(['ready', 'dead']),
      '`ready`: it will be delivered again; `dead`: it used its last attempt and is now a dead letter',
    ),
    attempts: NonNegativeInt.describe(
      'Deliveries so far; a nack after the last allowed one (5 by default) dead-letters the message',
    ),
    availableAt: described(Timestamp.nullable(), 'When it will be delivered again, or null once dead-lettered'),
  })),
);
export type NackResult = z.infer<typeof NackResult>;

/** Extend a lease: it will now run out `leaseSeconds` from now. */
export const ExtendInput = z.strictObject(
  lazyShape(() => ({
    receipt: described(
      z.string().check(z.minLength(1), z.maxLength(256)),
      'The receipt from `POST /receive` (`deliveries[].receipt`)',
    ),
    leaseSeconds: described(
      z.number().check(z.positive(), z.lte(MAX_LEASE_SECONDS)),
      'Seconds from now until the lease runs out (up to 12 hours); it replaces the remaining time, it is not added to it',
    ),
  })),
);
export type ExtendInput = z.infer<typeof ExtendInput>;

export const ExtendResult = z.object(
  lazyShape(() => ({
    receipt: described(z.string(), 'The same receipt, still the one to ack, nack or extend with'),
    leaseExpiresAt: Timestamp.describe('When the lease now runs out'),
  })),
);
export type ExtendResult = z.infer<typeof ExtendResult>;
