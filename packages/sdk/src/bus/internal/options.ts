import type { MessageStoreOptions } from '../message-store.ts';

/** {@link MessageStoreOptions} with every default filled in. */
export type ResolvedStoreOptions = Required<MessageStoreOptions>;

/** Fills in the defaults documented on {@link MessageStoreOptions}. */
export function resolveStoreOptions(options: MessageStoreOptions = {}): ResolvedStoreOptions {
  return {
    now: options.now ?? Date.now,
    random: options.random ?? Math.random,
    maxAttempts: options.maxAttempts ?? 5,
    idempotencyWindowSeconds: options.idempotencyWindowSeconds ?? 300,
    backoffBaseSeconds: options.backoffBaseSeconds ?? 1,
    backoffMaxSeconds: options.backoffMaxSeconds ?? 300,
    auditMaxAgeSeconds: options.auditMaxAgeSeconds ?? 7 * 24 * 3600,
    auditMaxEvents: options.auditMaxEvents ?? 100_000,
  };
}
