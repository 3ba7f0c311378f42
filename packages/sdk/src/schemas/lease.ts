import { z } from 'zod';
import { AgentName, Timestamp } from './common.ts';
import { listOf } from './list.ts';
import { MAX_BATCH_SIZE, MAX_DELAY_SECONDS, Message } from './message.ts';

/** Longest lease a receiver may hold without extending it: 12 hours. */
export const MAX_LEASE_SECONDS = 12 * 3600;
/** Longest a leased receive may wait for a message. */
export const MAX_WAIT_SECONDS = 20;

/** A leased (at-least-once) receive. */
export const ReceiveInput = z.strictObject({
  agent: AgentName.describe('The agent whose messages to receive'),
  limit: z.number().int().min(1).max(MAX_BATCH_SIZE).default(1).describe('Most messages to lease at once'),
  leaseSeconds: z
    .number()
    .positive()
    .max(MAX_LEASE_SECONDS)
    .default(30)
    .describe('How long the messages stay invisible to other receivers unless acked, nacked or extended'),
  waitSeconds: z
    .number()
    .min(0)
    .max(MAX_WAIT_SECONDS)
    .default(0)
    .describe('Long-poll: wait up to this long for a message'),
});
export type ReceiveInput = z.infer<typeof ReceiveInput>;
export type ReceiveInputInit = z.input<typeof ReceiveInput>;

/** One leased message: invisible to other receivers until acked, nacked or the lease runs out. */
export const Delivery = z.object({
  message: Message,
  receipt: z.string().describe('Opaque handle for ack, nack and extend; valid while the lease is'),
  leaseExpiresAt: Timestamp.describe(
    'When the lease runs out and the message is delivered again, unless acked, nacked or extended',
  ),
});
export type Delivery = z.infer<typeof Delivery>;

/** What a leased receive returns. */
export const ReceiveResult = listOf('deliveries', Delivery);
export type ReceiveResult = z.infer<typeof ReceiveResult>;

/** Acknowledge (and so remove) leased messages; all receipts must be valid or nothing is acked. */
export const AckInput = z.strictObject({
  receipts: z
    .array(z.string().min(1).max(256))
    .min(1)
    .max(MAX_BATCH_SIZE)
    .describe('Receipts from `POST /receive`; if any is unknown or expired, nothing is acked'),
});
export type AckInput = z.infer<typeof AckInput>;

export const AckResult = z.object({
  acked: z.number().int().nonnegative().describe('How many messages were acked (and so removed)'),
});
export type AckResult = z.infer<typeof AckResult>;

/** Give a leased message back: redelivered after `delaySeconds`, or after an exponential backoff with jitter. */
export const NackInput = z.strictObject({
  receipt: z.string().min(1).max(256).describe('The receipt from `POST /receive`'),
  delaySeconds: z
    .number()
    .min(0)
    .max(MAX_DELAY_SECONDS)
    .optional()
    .describe('Deliver it again after this long; without it, after an exponential backoff with jitter'),
  reason: z.string().max(1000).optional().describe('Why processing failed; kept with a dead letter'),
});
export type NackInput = z.infer<typeof NackInput>;

export const NackResult = z.object({
  id: z.string().describe('The message id'),
  state: z
    .enum(['ready', 'dead'])
    .describe('`ready`: it will be delivered again; `dead`: it used its last attempt and is now a dead letter'),
  attempts: z.number().int().nonnegative().describe('Deliveries so far'),
  availableAt: Timestamp.nullable().describe('When it will be delivered again, or null once dead-lettered'),
});
export type NackResult = z.infer<typeof NackResult>;

/** Extend a lease: it will now run out `leaseSeconds` from now. */
export const ExtendInput = z.strictObject({
  receipt: z.string().min(1).max(256).describe('The receipt from `POST /receive`'),
  leaseSeconds: z.number().positive().max(MAX_LEASE_SECONDS).describe('The lease now runs out this long from now'),
});
export type ExtendInput = z.infer<typeof ExtendInput>;

export const ExtendResult = z.object({
  receipt: z.string().describe('The same receipt, still the one to ack, nack or extend with'),
  leaseExpiresAt: Timestamp.describe('When the lease now runs out'),
});
export type ExtendResult = z.infer<typeof ExtendResult>;
