import { BROADCAST, type SendInput } from '../../schemas/message.ts';
import { planSends, type SendPlan } from '../internal/send-plan.ts';
import type { CountDeltas } from './queue-counters.ts';
import { addAuditInsert, type StatementBuilder } from './statement.ts';
import { addMessagesInsert } from './write-sends.ts';

/**
 * Whether sends need nothing read before they are written (no topic to expand, no broadcast, no
 * idempotency key to look up), so they can be stored in one statement with others.
 */
export function isPlainSend(inputs: readonly SendInput[]): boolean {
  return inputs.every((i) => i.topic === undefined && i.to !== BROADCAST && i.idempotencyKey === null);
}

/** Plans plain sends (see {@link isPlainSend}): throws `validation_failed` before anything is written. */
export function planPlainSends(inputs: SendInput[], now: number, idempotencyWindowSeconds: number): SendPlan {
  return planSends(
    inputs,
    { knownAgents: () => [], subscribers: () => [], idempotency: () => undefined },
    now,
    idempotencyWindowSeconds,
    // Plain sends make one copy each and repeat no key, so no error of theirs names a field this way.
    true,
  );
}

/**
 * Adds the writes of several plain sends' plans to a statement: every copy (counted in `counts`;
 * stored as delayed when available after `now`) and their `sent` events in plan order. The
 * agents they name are the caller's to insert.
 */
export function addPlainSends(
  statement: StatementBuilder,
  counts: CountDeltas,
  plans: readonly SendPlan[],
  now: number,
): void {
  addMessagesInsert(
    statement,
    counts,
    plans.flatMap((plan) => plan.records),
    now,
  );
  addAuditInsert(
    statement,
    plans.flatMap((plan) => plan.audit),
  );
}
