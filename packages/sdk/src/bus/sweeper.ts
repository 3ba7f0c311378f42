import { describeOutage, isOutage } from '../internal/outage.ts';
import type { MessageStore } from './message-store.ts';

/** Options of {@link startSweeper}. */
export interface SweeperOptions {
  /** How often to sweep. @default 1000 */
  intervalMs?: number;
  /** Where a failing sweep, and its recovery, are reported. */
  logger?: Pick<Console, 'info' | 'error'> | undefined;
}

/** A running sweeper; see {@link startSweeper}. */
export interface Sweeper {
  /** Stops sweeping; resolves once a sweep under way has finished, so the store can close after it. */
  stop(): Promise<void>;
}

const FAILING = 'sweep failed (logged once until it works again)';

/**
 * Runs `store.sweep()` (expired leases back to the queue, TTLs, audit retention, idempotency keys,
 * forgotten agents) every `intervalMs`, never two at once, on a timer that does not keep the
 * process alive. Any number of servers may sweep one PostgreSQL database at the same time.
 *
 * A sweep fails every interval while a store's database is away: the first failure is logged, in
 * one line with its cause when it is an outage (`unavailable`) and with its stack otherwise (a bug
 * to look at); the next failures are not, until a sweep works again, which is logged too.
 *
 * @example
 * const sweeper = startSweeper(store, { logger: console });
 * // ... serve ...
 * await sweeper.stop();
 * await store.close();
 */
export function startSweeper(store: Pick<MessageStore, 'sweep'>, options: SweeperOptions = {}): Sweeper {
  const { logger } = options;
  let running: Promise<void> | undefined;
  let failing = false;
  const sweep = () => {
    if (running) return;
    running = store
      .sweep()
      .then(
        () => {
          if (failing) logger?.info('sweep works again');
          failing = false;
        },
        (error: unknown) => {
          if (!failing) {
            if (isOutage(error)) logger?.error(`${FAILING}: ${describeOutage(error)}`);
            else logger?.error(FAILING, error);
          }
          failing = true;
        },
      )
      .finally(() => {
        running = undefined;
      });
  };
  const timer = setInterval(sweep, options.intervalMs ?? 1000);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
