import { z } from 'zod';
import { AgentName } from './common.ts';

/** Queue depth for one recipient. */
export const RecipientStats = z.object({
  agent: AgentName,
  ready: z.number().int().nonnegative(),
  inFlight: z.number().int().nonnegative(),
  delayed: z.number().int().nonnegative(),
  dead: z.number().int().nonnegative(),
  oldestReadyAgeSeconds: z.number().nonnegative().nullable(),
});
export type RecipientStats = z.infer<typeof RecipientStats>;

/** `GET /queue`: per-recipient stats and totals. */
export const QueueStats = z.object({
  recipients: z.array(RecipientStats),
  count: z.number().int().nonnegative(),
  totals: z.object({
    ready: z.number().int().nonnegative(),
    inFlight: z.number().int().nonnegative(),
    delayed: z.number().int().nonnegative(),
    dead: z.number().int().nonnegative(),
  }),
});
export type QueueStats = z.infer<typeof QueueStats>;
