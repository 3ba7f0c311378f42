import { isFleetConnectionError, isFleetHttpError } from '../client/errors.ts';
import type { CallOptions } from '../client/http-client.ts';
import { pause } from '../internal/pause.ts';
import { BodyTooLargeError } from '../internal/read-body.ts';
import type {
  AckResult,
  Delivery,
  ExtendResult,
  NackResult,
  ReceiveInputInit,
  ReceiveResult,
} from '../schemas/lease.ts';
import type { Message } from '../schemas/message.ts';
import { MAX_BATCH_SIZE } from '../schemas/message.ts';
import { toWellFormed } from '../schemas/well-formed.ts';
import { isTransient, keepLeaseAlive } from './internal/lease-keeper.ts';

/** What a {@link MessageHandler} gets besides the message and its delivery. */
export interface MessageHandlerContext {
  /**
   * Aborted when the handler's work is no longer wanted: the consumer stops (its `signal` aborted,
   * with that reason, or the loop failed, with its error), or the lease is known lost (an extension
   * found the receipt expired or unknown, or failed until the lease ran out; the reason is that
   * failure, and another worker may get the message). Pass it on to `fetch` and the like, or check
   * it between steps. A handler that ignores it still runs to its end and is acked or nacked.
   */
  signal: AbortSignal;
}

/**
 * Processes one message. Resolving acks it; throwing (or rejecting) nacks it with the error's
 * message as the reason, and the server redelivers it after its exponential backoff.
 *
 * @example
 * ```ts
 * const handler: MessageHandler = async (message, _delivery, { signal }) => {
 *   await fetch(`https://example.com/tasks/${message.id}`, { method: 'POST', signal });
 * };
 * ```
 */
export type MessageHandler = (message: Message, delivery: Delivery, context: MessageHandlerContext) => unknown;

/** Where a reported error came from. */
export interface ConsumeErrorContext {
  /** The call that failed. */
  operation: 'receive' | 'ack' | 'nack' | 'extend';
  /** The delivery concerned, for `ack`, `nack` and `extend`. */
  delivery?: Delivery;
}

/** Options of {@link consume}. */
export interface ConsumeOptions {
  /**
   * Stops the loop: no more receives; the running handlers' signals abort, and they finish (and
   * are acked or nacked) first.
   */
  signal?: AbortSignal;
  /** Most handlers running at once. @default 1 */
  concurrency?: number;
  /**
   * Lease of each received message; extended every third of it while the handler runs (a failed
   * extension is tried again within the lease). @default 30
   */
  leaseSeconds?: number;
  /** How long each receive waits for a message (long polling, at most 20). @default 20 */
  waitSeconds?: number;
  /**
   * How long to pause after a receive that waited less than a second and found nothing (with
   * `waitSeconds: 0` an idle worker would otherwise ask again at once, hundreds of times a second).
   * @default 1000
   */
  idleDelayMs?: number;
  /**
   * First pause after a transient error (server unreachable, 5xx, 429), doubled on each failure in
   * a row up to 30 s, with jitter. Above 0. A receive answered 503 or 429 with a `Retry-After` (by
   * a proxy or a rate limiter) waits at least what it asks for, up to 5 minutes.
   * @default 1000
   */
  retryDelayMs?: number;
  /**
   * Reports errors the loop survives: transient receive failures (it backs off and retries) and
   * failed acks, nacks and lease extensions (the lease then runs out and the message is redelivered).
   * May be async; what it throws or rejects with is ignored.
   */
  onError?: (error: unknown, context: ConsumeErrorContext) => unknown;
}

/** The calls {@link consume} makes; a `BusClient` is one. */
export interface ConsumeClient {
  receive(input: ReceiveInputInit, options?: CallOptions): Promise<ReceiveResult>;
  ack(receipts: string | string[], options?: CallOptions): Promise<AckResult>;
  nack(input: { receipt: string; reason?: string; delaySeconds?: number }, options?: CallOptions): Promise<NackResult>;
  extend(input: { receipt: string; leaseSeconds: number }, options?: CallOptions): Promise<ExtendResult>;
}

const MAX_RETRY_DELAY_MS = 30_000;
/** Longest wait a `Retry-After` gets: a misconfigured server or a clock far off must not park a worker for hours. */
const MAX_RETRY_AFTER_MS = 5 * 60_000;
const MAX_REASON_LENGTH = 1000;

/** A receive whose answer passed the client's `maxResponseBytes` (a batch of large payloads). */
function isAnswerTooLarge(error: unknown): boolean {
  return isFleetConnectionError(error) && error.cause instanceof BodyTooLargeError;
}

/**
 * The pause before the next receive after `failures` transient errors in a row: the backoff with
 * jitter, or longer when the server's answer asked for a longer wait (`Retry-After`).
 */
function retryDelay(error: unknown, failures: number, retryDelayMs: number): number {
  const backoff = Math.min(MAX_RETRY_DELAY_MS, retryDelayMs * 2 ** failures);
  const jittered = backoff / 2 + (Math.random() * backoff) / 2;
  const asked = isFleetHttpError(error) ? error.retryAfterMs : undefined;
  // A floor: asking sooner only earns another refusal.
  return asked === undefined ? jittered : Math.max(jittered, Math.min(asked, MAX_RETRY_AFTER_MS));
}

/** The nack reason for what a handler threw: its message, cut to the limit and well-formed as `NackInput` wants. */
function reasonOf(error: unknown): string {
  const reason = error instanceof Error ? error.message || error.name : String(error);
  // The cut may split a surrogate pair (an emoji), and a message may hold a lone one already.
  return toWellFormed(reason.slice(0, MAX_REASON_LENGTH));
}

/**
 * Runs a worker loop for `agent`: leases messages with long polling, runs `handler` on each, acks
 * those it handled and nacks those it threw on (the error message becomes the nack's `reason`; the
 * server's exponential backoff applies). At most `concurrency` handlers run at once, and each
 * receive asks for as many messages as there are free slots. A lease is extended every third of it
 * while its handler runs, and an extension that fails for a transient reason is tried again within
 * the lease.
 *
 * Transient errors (server unreachable, 5xx, 429) are reported to `onError` and retried with
 * backoff, waiting at least what a `Retry-After` asks for; other errors of the receive (a bad token,
 * an invalid agent name) stop the loop and reject the promise once the running handlers have
 * finished. When `signal` aborts, the loop stops receiving (a receive waiting for messages is
 * cancelled), aborts the signal each running handler was given, waits for those handlers, and
 * resolves.
 *
 * @example
 * ```ts
 * const stop = new AbortController();
 * process.once('SIGTERM', () => stop.abort());
 * await consume(bus, 'worker', async (message, _delivery, { signal }) => {
 *   await runTask(message.payload, { signal });
 * }, { concurrency: 4, signal: stop.signal, onError: (error) => console.warn(error) });
 * ```
 */
export async function consume(
  client: ConsumeClient,
  agent: string,
  handler: MessageHandler,
  options: ConsumeOptions = {},
): Promise<void> {
  const { signal } = options;
  const concurrency = options.concurrency ?? 1;
  const leaseSeconds = options.leaseSeconds ?? 30;
  const waitSeconds = options.waitSeconds ?? 20;
  const retryDelayMs = options.retryDelayMs ?? 1000;
  const idleDelayMs = options.idleDelayMs ?? 1000;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`concurrency must be a whole number >= 1, got ${concurrency}`);
  }
  if (!(leaseSeconds > 0)) throw new RangeError(`leaseSeconds must be > 0, got ${leaseSeconds}`);
  if (!(idleDelayMs >= 0)) throw new RangeError(`idleDelayMs must be >= 0, got ${idleDelayMs}`);
  // 0 would double to 0: a receive failing for good would be asked again at once, for ever.
  if (!(retryDelayMs > 0)) throw new RangeError(`retryDelayMs must be > 0, got ${retryDelayMs}`);

  const report = (error: unknown, context: ConsumeErrorContext) => {
    try {
      // A rejecting (async) reporter must not kill the process with an unhandled rejection either.
      Promise.resolve(options.onError?.(error, context)).catch(() => undefined);
    } catch {
      // A throwing error reporter must not kill the loop.
    }
  };

  /** The running handlers' signals; each is aborted when the loop stops or its lease is lost. */
  const handlerAborts = new Set<AbortController>();
  let stopped: { reason: unknown } | undefined;
  const stopHandlers = (reason: unknown) => {
    stopped ??= { reason };
    for (const controller of handlerAborts) controller.abort(stopped.reason);
  };

  const handle = async (delivery: Delivery): Promise<void> => {
    const own = new AbortController();
    if (stopped) own.abort(stopped.reason);
    else handlerAborts.add(own);
    const keeper = keepLeaseAlive({ client, delivery, leaseSeconds, report, onLost: (error) => own.abort(error) });
    let failed = false;
    let failure: unknown;
    try {
      await handler(delivery.message, delivery, { signal: own.signal });
    } catch (error) {
      failed = true;
      failure = error;
    } finally {
      handlerAborts.delete(own);
      await keeper.stop();
    }
    try {
      // A handler cut short by the stop gives its message back at once, not after a failure's backoff.
      const givenBack = stopped !== undefined && own.signal.aborted;
      if (failed) {
        await client.nack({
          receipt: delivery.receipt,
          reason: reasonOf(failure),
          ...(givenBack ? { delaySeconds: 0 } : {}),
        });
      } else await client.ack(delivery.receipt);
    } catch (error) {
      report(error, { operation: failed ? 'nack' : 'ack', delivery });
    }
  };

  const running = new Set<Promise<void>>();
  // Wakes the loop waiting for a free slot: a handler finished, or the signal aborted. One promise
  // per wait, settled by the next event (a race against a promise that lives as long as the loop
  // would add a reaction to it for every message).
  let wake: () => void = () => undefined;
  const wakeLoop = () => wake();
  const onAbort = () => {
    stopHandlers(signal?.reason);
    wake();
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  let failures = 0;
  /** Most messages one receive asks for: 1 once a batch's answer was too large to read. */
  let batchLimit = MAX_BATCH_SIZE;
  try {
    while (!signal?.aborted) {
      const free = concurrency - running.size;
      if (free <= 0) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        continue;
      }
      let deliveries: Delivery[];
      try {
        const input = { agent, limit: Math.min(free, batchLimit), leaseSeconds, waitSeconds };
        ({ deliveries } = await client.receive(input, signal ? { signal } : {}));
        failures = 0;
      } catch (error) {
        if (signal?.aborted) break;
        if (isAnswerTooLarge(error) && batchLimit > 1) {
          // The batch's answer passed the client's maxResponseBytes: its messages stay leased until
          // their lease runs out, then come back one at a time instead of failing every receive
          // until they are dead letters.
          batchLimit = 1;
          report(error, { operation: 'receive' });
          continue;
        }
        if (!isTransient(error)) throw error;
        report(error, { operation: 'receive' });
        const delay = retryDelay(error, failures, retryDelayMs);
        failures += 1;
        await pause(delay, signal);
        continue;
      }
      if (deliveries.length === 0 && waitSeconds < 1) await pause(idleDelayMs, signal);
      for (const delivery of deliveries) {
        const task: Promise<void> = handle(delivery).finally(() => {
          running.delete(task);
          wakeLoop();
        });
        running.add(task);
      }
    }
  } catch (error) {
    stopHandlers(error);
    throw error;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await Promise.all(running);
  }
}
