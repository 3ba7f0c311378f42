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
  agent: AgentName,
  limit: z.number().int().min(1).max(MAX_BATCH_SIZE).default(1),
  leaseSeconds: z.number().positive().max(MAX_LEASE_SECONDS).default(30),
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
  leaseExpiresAt: Timestamp,
});
export type Delivery = z.infer<typeof Delivery>;

/** What a leased receive returns. */
export const ReceiveResult = listOf('deliveries', Delivery);
export type ReceiveResult = z.infer<typeof ReceiveResult>;

/** Acknowledge (and so remove) leased messages; all receipts must be valid or nothing is acked. */
export const AckInput = z.strictObject({
  receipts: z.array(z.string().min(1).max(256)).min(1).max(MAX_BATCH_SIZE),
});
export type AckInput = z.infer<typeof AckInput>;

export const AckResult = z.object({ acked: z.number().int().nonnegative() });
export type AckResult = z.infer<typeof AckResult>;

/** Give a leased message back: redelivered after `delaySeconds`, or after an exponential backoff with jitter. */
export const NackInput = z.strictObject({
  receipt: z.string().min(1).max(256),
  delaySeconds: z.number().min(0).max(MAX_DELAY_SECONDS).optional(),
  reason: z.string().max(1000).optional().describe('Why processing failed; kept with a dead letter'),
});
export type NackInput = z.infer<typeof NackInput>;

export const NackResult = z.object({
  id: z.string(),
  state: z.enum(['ready', 'dead']),
  attempts: z.number().int().nonnegative(),
  availableAt: Timestamp.nullable().describe('When it will be delivered again, or null once dead-lettered'),
});
export type NackResult = z.infer<typeof NackResult>;

/** Extend a lease: it will now run out `leaseSeconds` from now. */
export const ExtendInput = z.strictObject({
  receipt: z.string().min(1).max(256),
  leaseSeconds: z.number().positive().max(MAX_LEASE_SECONDS),
});
export type ExtendInput = z.infer<typeof ExtendInput>;

export const ExtendResult = z.object({ receipt: z.string(), leaseExpiresAt: Timestamp });
export type ExtendResult = z.infer<typeof ExtendResult>;
