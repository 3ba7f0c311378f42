import { z } from 'zod';
import { AgentName } from './common.ts';
import { described, NonNegativeInt, NonNegativeNumber } from './fields.ts';
import { lazyShape } from './lazy-shape.ts';

/** The four counts of a queue, shared by {@link RecipientStats} and {@link QueueTotals}. */
const queueCounts = lazyShape(() => ({
  ready: NonNegativeInt.describe('Messages deliverable now'),
  inFlight: NonNegativeInt.describe('Messages leased and not yet acked, nacked or expired'),
  delayed: NonNegativeInt.describe("Messages waiting out a send's `delaySeconds` or a nack's delay or backoff"),
  dead: NonNegativeInt.describe('Dead letters'),
}));

/** Queue depth for one recipient. */
export const RecipientStats = z.object(
  lazyShape(() => ({
    agent: AgentName.describe('The recipient'),
    ...queueCounts,
    oldestReadyAgeSeconds: described(
      NonNegativeNumber.nullable(),
      'Seconds since the oldest ready message was sent; null when none is ready',
    ),
  })),
);
export type RecipientStats = z.infer<typeof RecipientStats>;

/** The sums of {@link RecipientStats} over every recipient. */
export const QueueTotals = described(z.object(queueCounts), 'Sums over every recipient');
export type QueueTotals = z.infer<typeof QueueTotals>;

/** `GET /queue`: per-recipient stats and totals. */
export const QueueStats = z.object(
  lazyShape(() => ({
    recipients: described(z.array(RecipientStats), 'One entry per agent with messages in any state, by agent name'),
    count: NonNegativeInt.describe('How many recipients are listed'),
    totals: QueueTotals,
  })),
);
export type QueueStats = z.infer<typeof QueueStats>;
