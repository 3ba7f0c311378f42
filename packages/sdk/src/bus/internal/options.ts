import type { MessageStoreOptions } from '../message-store.ts';

/** {@link MessageStoreOptions} with every default filled in. */
export type ResolvedStoreOptions = Required<MessageStoreOptions>;

/** `value`, refused with a `RangeError` naming the option unless it is a number at least `min` (and whole when asked). */
function checked(name: string, value: number, min: number, whole = false): number {
  if (!Number.isFinite(value) || value < min || (whole && !Number.isInteger(value))) {
    throw new RangeError(`${name} must be ${whole ? 'a whole number' : 'a number'} >= ${min}, got ${value}`);
  }
  return value;
}

/**
 * Fills in the defaults documented on {@link MessageStoreOptions}, and refuses numbers out of range
 * (a negative `auditMaxEvents` would make every sweep delete its whole batch of events).
 */
export function resolveStoreOptions(options: MessageStoreOptions = {}): ResolvedStoreOptions {
  return {
    now: options.now ?? Date.now,
    random: options.random ?? Math.random,
    maxAttempts: checked('maxAttempts', options.maxAttempts ?? 5, 1, true),
    idempotencyWindowSeconds: checked('idempotencyWindowSeconds', options.idempotencyWindowSeconds ?? 300, 0),
    backoffBaseSeconds: checked('backoffBaseSeconds', options.backoffBaseSeconds ?? 1, 0),
    backoffMaxSeconds: checked('backoffMaxSeconds', options.backoffMaxSeconds ?? 300, 0),
    auditMaxAgeSeconds: checked('auditMaxAgeSeconds', options.auditMaxAgeSeconds ?? 7 * 24 * 3600, 0),
    auditMaxEvents: checked('auditMaxEvents', options.auditMaxEvents ?? 100_000, 0, true),
    agentRetentionSeconds: checked('agentRetentionSeconds', options.agentRetentionSeconds ?? 7 * 24 * 3600, 0),
  };
}
