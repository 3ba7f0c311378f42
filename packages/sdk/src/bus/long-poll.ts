import type { Delivery, ReceiveInput } from '../schemas/lease.ts';
import type { MessageStore } from './message-store.ts';

/**
 * How often a waiting receive looks again even without news, while its agent has anything queued:
 * catches delays, nacks, expired leases and redrives coming due, which no `onMessage` announces.
 */
const RECHECK_INTERVAL_MS = 500;

/**
 * The re-check of an agent with nothing queued, which only a send can change: sends through this
 * store wake it at once, so this catches only what it cannot hear (a second process writing the same
 * SQLite file; on PostgreSQL the replicas' own fallback already reads every second).
 */
const IDLE_RECHECK_INTERVAL_MS = 5_000;

/**
 * A leased receive that waits up to `input.waitSeconds` for a message to arrive (long polling).
 * Returns as soon as at least one message is leased, when the wait is over, or when `signal` aborts.
 * It leases again when a message for the agent is stored and, while the agent has anything queued
 * (`store.hasQueued`), every half second; an agent with nothing queued is looked at every 5 s.
 * Once `signal` has aborted (the client is gone) it leases nothing more: what it leased then would
 * stay hidden from every other receiver until its lease ran out.
 */
export async function leaseWithWait(
  store: MessageStore,
  input: ReceiveInput,
  signal?: AbortSignal,
): Promise<Delivery[]> {
  const request = { agent: input.agent, limit: input.limit, leaseSeconds: input.leaseSeconds };
  if (signal?.aborted) return [];
  if (input.waitSeconds <= 0) return store.lease(request);
  const deadline = Date.now() + input.waitSeconds * 1000;
  // Watches from before each lease: a message stored after the lease looked (a later write of the
  // same group commit) but before the wait below starts would otherwise wait for the re-check.
  let arrived = false;
  const unwatch = store.onMessage((message) => {
    if (message.to === input.agent) arrived = true;
  }, input.agent);
  try {
    for (;;) {
      // An abort ends the wait below early: it must not be followed by one more lease.
      if (signal?.aborted) return [];
      arrived = false;
      const deliveries = await store.lease(request);
      const remaining = deadline - Date.now();
      if (deliveries.length > 0 || remaining <= 0 || signal?.aborted) return deliveries;
      if (arrived) continue;
      // With nothing queued for the agent, only a send (which `onMessage` announces) can change that.
      // A failed look counts as something queued: the re-check's lease reports what went wrong.
      const idle = store.hasQueued ? !(await store.hasQueued(input.agent).catch(() => true)) : false;
      if (arrived) continue;
      const recheck = idle ? IDLE_RECHECK_INTERVAL_MS : RECHECK_INTERVAL_MS;
      await waitForMessage(store, input.agent, Math.min(remaining, recheck), signal);
    }
  } finally {
    unwatch();
  }
}

/** Resolves when a message for `agent` is stored, after `timeoutMs`, or when `signal` aborts. */
export function waitForMessage(
  store: MessageStore,
  agent: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<void> {
  return new Promise((resolve) => {
    // An abort event has already fired: it would never reach the listener below.
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      unsubscribe();
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    const unsubscribe = store.onMessage((message) => {
      if (message.to === agent) done();
    }, agent);
    signal?.addEventListener('abort', done, { once: true });
  });
}
