import { isFleetConnectionError, isFleetHttpError } from '../../client/errors.ts';
import type { CallOptions } from '../../client/http-client.ts';
import type { Delivery, ExtendResult } from '../../schemas/lease.ts';

/** Errors worth retrying: no answer, or the server failing rather than refusing. */
export function isTransient(error: unknown): boolean {
  if (isFleetConnectionError(error)) return true;
  return isFleetHttpError(error) && (error.status >= 500 || error.status === 429 || error.status === 408);
}

/** Longest pause before an extension that failed for a transient reason is tried again. */
const MAX_EXTEND_RETRY_MS = 1000;

/** What {@link keepLeaseAlive} needs. */
export interface LeaseKeeperSettings {
  client: {
    extend(input: { receipt: string; leaseSeconds: number }, options?: CallOptions): Promise<ExtendResult>;
  };
  delivery: Delivery;
  leaseSeconds: number;
  /** Told of every failed extension. */
  report(error: unknown, context: { operation: 'extend'; delivery: Delivery }): void;
  /**
   * Called once when the lease is known lost: an extension was refused (the receipt expired or is
   * unknown), or failed for a transient reason until the lease ran out. `error` is the last failure.
   */
  onLost(error: unknown): void;
}

/**
 * Extends a lease every third of the lease until stopped; `stop()` waits for an extension in flight.
 * An extension that fails for a transient reason (no answer, a 5xx) is tried again soon, while the
 * lease still has time left, each attempt bounded by that time: one dropped connection must not
 * lose the lease to another worker while the handler still runs. An expired or unknown receipt
 * ends the extensions.
 */
export function keepLeaseAlive(settings: LeaseKeeperSettings): { stop(): Promise<void> } {
  const { client, delivery, leaseSeconds, report } = settings;
  const leaseMs = leaseSeconds * 1000;
  // Counted from when the lease was handed out here (the server's clock may differ from this one).
  let expiresAt = Date.now() + leaseMs;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let inFlight: Promise<void> = Promise.resolve();
  const schedule = (ms: number) => {
    timer = setTimeout(extend, ms);
  };
  const extend = () => {
    const asked = Date.now();
    inFlight = client
      .extend({ receipt: delivery.receipt, leaseSeconds }, { timeoutMs: Math.max(1, expiresAt - asked) })
      .then(
        () => {
          expiresAt = asked + leaseMs;
          if (!stopped) schedule(leaseMs / 3);
        },
        (error: unknown) => {
          report(error, { operation: 'extend', delivery });
          if (stopped) return;
          const left = expiresAt - Date.now();
          if (isTransient(error) && left > 0) schedule(Math.min(MAX_EXTEND_RETRY_MS, left / 3));
          else settings.onLost(error);
        },
      );
  };
  schedule(leaseMs / 3);
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
      return inFlight;
    },
  };
}
