import { z } from 'zod';
import { AgentName, Cursor, intFromQuery, Timestamp } from './common.ts';
import { described, NonNegativeInt } from './fields.ts';
import { lazyShape } from './lazy-shape.ts';
import { pageOf } from './list.ts';
import { Message } from './message.ts';

/** Why a message was dead-lettered. */
export const DeadLetterReason = z.enum(['expired', 'max_attempts']);
export type DeadLetterReason = z.infer<typeof DeadLetterReason>;

/** A message that will not be delivered again unless redriven. */
export const DeadLetter = z.object(
  lazyShape(() => ({
    message: Message.describe('The message as it was when it died'),
    reason: DeadLetterReason.describe(
      '`expired`: its TTL ran out; `max_attempts`: it was delivered as often as allowed (5 by default) without an ack',
    ),
    deadAt: Timestamp.describe('When it became a dead letter'),
    lastError: described(z.string().nullable(), 'The `reason` of the last nack, or null'),
  })),
);
export type DeadLetter = z.infer<typeof DeadLetter>;

export const DeadLetterQuery = z.strictObject(
  lazyShape(() => ({
    agent: described(AgentName.optional(), "Only this recipient's dead letters"),
    limit: intFromQuery({ min: 1, max: 500, default: 50, description: 'Most dead letters per page' }),
    cursor: described(Cursor.optional(), "The previous page's `nextCursor`; leave out for the first page"),
  })),
);
export type DeadLetterQuery = z.infer<typeof DeadLetterQuery>;

export const DeadLetterPage = pageOf('deadLetters', DeadLetter, 'Dead letters, oldest first');
export type DeadLetterPage = z.infer<typeof DeadLetterPage>;

/** Selects dead letters by id or by recipient (exactly one). */
export const DeadLetterSelector = z
  .strictObject(
    lazyShape(() => ({
      ids: described(
        z.array(z.string().min(1)).check(z.minLength(1), z.maxLength(1000)).optional(),
        'Message ids of dead letters; an id that is not a dead letter is skipped; or give `agent`',
      ),
      agent: described(AgentName.optional(), 'Every dead letter of this recipient; or give `ids`'),
    })),
  )
  .superRefine((value, ctx) => {
    if ((value.ids === undefined) === (value.agent === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['ids'], message: 'exactly one of `ids` or `agent` is required' });
    }
  });
export type DeadLetterSelector = z.infer<typeof DeadLetterSelector>;

export const RedriveResult = z.object(
  lazyShape(() => ({
    redriven: NonNegativeInt.describe(
      'How many dead letters went back to ready, attempts reset to 0 (one whose TTL ran out no longer expires)',
    ),
  })),
);
export type RedriveResult = z.infer<typeof RedriveResult>;

export const PurgeResult = z.object(
  lazyShape(() => ({
    purged: NonNegativeInt.describe('How many dead letters were deleted for good'),
  })),
);
export type PurgeResult = z.infer<typeof PurgeResult>;
