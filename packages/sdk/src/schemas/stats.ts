import { z } from 'zod';
import { AgentName } from './common.ts';

const READY = z.number().int().nonnegative().describe('Messages deliverable now');
const IN_FLIGHT = z.number().int().nonnegative().describe('Messages leased and not yet acked, nacked or expired');
const DELAYED = z
  .number()
  .int()
  .nonnegative()
  .describe("Messages waiting out a send's `delaySeconds` or a nack's delay or backoff");
const DEAD = z.number().int().nonnegative().describe('Dead letters');

/** Queue depth for one recipient. */
export const RecipientStats = z.object({
  agent: AgentName.describe('The recipient'),
  ready: READY,
  inFlight: IN_FLIGHT,
  delayed: DELAYED,
  dead: DEAD,
  oldestReadyAgeSeconds: z
    .number()
    .nonnegative()
    .nullable()
    .describe('Seconds since the oldest ready message was sent; null when none is ready'),
});
export type RecipientStats = z.infer<typeof RecipientStats>;

/** The sums of {@link RecipientStats} over every recipient. */
export const QueueTotals = z
  .object({ ready: READY, inFlight: IN_FLIGHT, delayed: DELAYED, dead: DEAD })
  .describe('Sums over every recipient');
export type QueueTotals = z.infer<typeof QueueTotals>;

/** `GET /queue`: per-recipient stats and totals. */
export const QueueStats = z.object({
  recipients: z.array(RecipientStats).describe('One entry per agent with messages in any state, by agent name'),
  count: z.number().int().nonnegative().describe('How many recipients are listed'),
  totals: QueueTotals,
});
export type QueueStats = z.infer<typeof QueueStats>;
