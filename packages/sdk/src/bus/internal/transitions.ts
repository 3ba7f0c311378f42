import { backoffDelay } from '../../internal/backoff.ts';
import type { DeadLetterReason } from '../../schemas/dead-letter.ts';
import type { ResolvedStoreOptions } from './options.ts';

/** Where a message goes after a failed attempt: back to ready at `availableAt`, or dead. */
export type AttemptOutcome = { state: 'ready'; availableAt: number } | { state: 'dead'; reason: DeadLetterReason };

/**
 * After a nack: dead (`max_attempts`) once attempts reach the maximum, else ready after the
 * requested delay or an exponential backoff with jitter.
 */
export function outcomeAfterNack(
  attempts: number,
  delaySeconds: number | undefined,
  nowMs: number,
  options: Pick<ResolvedStoreOptions, 'maxAttempts' | 'backoffBaseSeconds' | 'backoffMaxSeconds' | 'random'>,
): AttemptOutcome {
  if (attempts >= options.maxAttempts) return { state: 'dead', reason: 'max_attempts' };
  const seconds =
    delaySeconds ?? backoffDelay(attempts, options.backoffBaseSeconds, options.backoffMaxSeconds, options.random);
  return { state: 'ready', availableAt: nowMs + Math.round(seconds * 1000) };
}

/**
 * After a lease ran out: dead (`expired`) when the TTL has passed, dead (`max_attempts`) when the
 * attempts are used up, else ready now.
 */
export function outcomeAfterLeaseExpiry(
  attempts: number,
  expiresAt: number | null,
  nowMs: number,
  maxAttempts: number,
): AttemptOutcome {
  if (expiresAt !== null && expiresAt <= nowMs) return { state: 'dead', reason: 'expired' };
  if (attempts >= maxAttempts) return { state: 'dead', reason: 'max_attempts' };
  return { state: 'ready', availableAt: nowMs };
}
