import { z } from 'zod';
import { AgentName, Cursor, intFromQuery, Timestamp } from './common.ts';
import { pageOf } from './list.ts';
import { Message } from './message.ts';

/** Why a message was dead-lettered. */
export const DeadLetterReason = z.enum(['expired', 'max_attempts']);
export type DeadLetterReason = z.infer<typeof DeadLetterReason>;

/** A message that will not be delivered again unless redriven. */
export const DeadLetter = z.object({
  message: Message,
  reason: DeadLetterReason,
  deadAt: Timestamp,
  lastError: z.string().nullable().describe('The reason given by the last nack, if any'),
});
export type DeadLetter = z.infer<typeof DeadLetter>;

export const DeadLetterQuery = z.strictObject({
  agent: AgentName.optional(),
  limit: intFromQuery({ min: 1, max: 500, default: 50 }),
  cursor: Cursor.optional(),
});
export type DeadLetterQuery = z.infer<typeof DeadLetterQuery>;

export const DeadLetterPage = pageOf('deadLetters', DeadLetter);
export type DeadLetterPage = z.infer<typeof DeadLetterPage>;

/** Selects dead letters by id or by recipient (exactly one). */
export const DeadLetterSelector = z
  .strictObject({
    ids: z.array(z.string().min(1)).min(1).max(1000).optional(),
    agent: AgentName.optional(),
  })
  .superRefine((value, ctx) => {
    if ((value.ids === undefined) === (value.agent === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['ids'], message: 'exactly one of `ids` or `agent` is required' });
    }
  });
export type DeadLetterSelector = z.infer<typeof DeadLetterSelector>;

export const RedriveResult = z.object({ redriven: z.number().int().nonnegative() });
export type RedriveResult = z.infer<typeof RedriveResult>;

export const PurgeResult = z.object({ purged: z.number().int().nonnegative() });
export type PurgeResult = z.infer<typeof PurgeResult>;
