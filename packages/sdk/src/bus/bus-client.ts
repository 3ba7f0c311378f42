import type { z } from 'zod';
import { callRoute } from '../client/call-route.ts';
import { FleetClient, type FleetClientOptions } from '../client/fleet-client.ts';
import type { CallOptions } from '../client/http-client.ts';
import { type StreamOptions, streamRoute } from '../client/stream-route.ts';
import type { AuditPage, AuditQuery } from '../schemas/audit.ts';
import type {
  DeadLetter,
  DeadLetterPage,
  DeadLetterQuery,
  DeadLetterSelector,
  PurgeResult,
  RedriveResult,
} from '../schemas/dead-letter.ts';
import type {
  AckResult,
  ExtendInput,
  ExtendResult,
  NackInput,
  NackResult,
  ReceiveInputInit,
  ReceiveResult,
} from '../schemas/lease.ts';
import {
  MAX_POLL_ANSWER_BYTES,
  type Message,
  type MessageList,
  type SendInputInit,
  type SendResult,
} from '../schemas/message.ts';
import type { QueueStats } from '../schemas/stats.ts';
import type { Subscription, SubscriptionList, SubscriptionQuery, UnsubscribeResult } from '../schemas/subscription.ts';
import { type ConsumeOptions, consume, type MessageHandler } from './consume.ts';
import { receiveOrGiveBack } from './internal/receive-or-give-back.ts';
import { busRoutes } from './routes.ts';

/** An answer's bytes besides its messages (`{"messages": [...], "count": N}`), with room to spare. */
const POLL_ENVELOPE_BYTES = 1024;
/** The nack reason of a message leased into a receive that was aborted while its answer arrived. */
const ABORTED_RECEIVE_REASON = 'receive aborted while its answer arrived';
/** How long an aborted receive's nacks of what it was answered may take. */
const GIVE_BACK_TIMEOUT_MS = 5000;

/** Options of {@link BusClient}: those of every Fleet client, with the bus's URL. */
export interface BusClientOptions extends FleetClientOptions {
  /**
   * Base URL of the bus server.
   * @example 'http://127.0.0.1:8650'
   */
  url: string;
}

/** A nack as a caller writes it: the receipt, an optional `delaySeconds` and an optional `reason`. */
export type NackInputInit = z.input<typeof NackInput>;
/** A lease extension: the receipt and the new lease length from now. */
export type ExtendInputInit = z.input<typeof ExtendInput>;
/** Dead-letter listing filters; all optional. */
export type DeadLetterQueryInit = z.input<typeof DeadLetterQuery>;
/** Selects dead letters by `ids` or by `agent` (exactly one). */
export type DeadLetterSelectorInit = z.input<typeof DeadLetterSelector>;
/** Audit trail filters; all optional. */
export type AuditQueryInit = z.input<typeof AuditQuery>;

/**
 * The typed client of the Fleet message bus: one method per route of `busRoutes`, plus `/health`,
 * `/metrics` and `/openapi.json` (from {@link FleetClient}), a live `stream()` and a `consume()` worker loop.
 *
 * Error answers are thrown as `FleetHttpError` (`code` from the server's envelope), an unreachable
 * server as `FleetConnectionError`, a success answer that breaks the contract as
 * `ResponseValidationError`. Every method takes {@link CallOptions} (`signal`, `timeoutMs`) last.
 *
 * @example
 * ```ts
 * const bus = new BusClient({ url: 'http://127.0.0.1:8650', token: process.env.FLEET_BUS_TOKEN });
 * await bus.send({ from: 'planner', to: 'worker', type: 'task', payload: { id: 1 } });
 * const { deliveries } = await bus.receive({ agent: 'worker', waitSeconds: 20 });
 * for (const { message, receipt } of deliveries) {
 *   await handle(message);
 *   await bus.ack(receipt);
 * }
 * ```
 */
export class BusClient extends FleetClient {
  /** Sends one message to an agent (`to`), a topic (`topic`) or every known agent (`to: '*'`). */
  send(input: SendInputInit, options?: CallOptions): Promise<SendResult> {
    return callRoute(this.http, busRoutes.send, { body: input }, options);
  }

  /** Sends up to 100 messages atomically: all are stored or none. */
  sendBatch(messages: SendInputInit[], options?: CallOptions): Promise<SendResult> {
    return callRoute(this.http, busRoutes.sendBatch, { body: { messages } }, options);
  }

  /**
   * The old bus's at-most-once poll: receives and removes up to `limit` messages. Never retried.
   * The server answers with at most 48 MiB of messages, within the default `maxResponseBytes`; a
   * client that reads less asks for less (`maxBytes`), so an answer it could not read never takes
   * messages off the bus.
   */
  poll(to: string, limit?: number, options?: CallOptions): Promise<MessageList> {
    // Sent only when needed: an older server refuses query parameters it does not know.
    const room = this.http.maxResponseBytes - POLL_ENVELOPE_BYTES;
    const query = {
      to,
      ...(limit === undefined ? {} : { limit }),
      ...(room < MAX_POLL_ANSWER_BYTES ? { maxBytes: Math.max(1024, room) } : {}),
    };
    return callRoute(this.http, busRoutes.poll, { query }, { idempotent: false, ...options });
  }

  /**
   * Leases up to `limit` messages (at-least-once): each stays invisible to other receivers until
   * acked, nacked or its lease runs out. With `waitSeconds` the server holds the request until a
   * message arrives (long polling); the timeout is extended by the wait (no timeout stays none).
   *
   * An abort (`signal`) once the answer has begun to arrive, when the server has leased its
   * messages, does not drop them: the answer is read to its end (for up to 5 s), its messages are
   * nacked without delay (redelivered at once, as if their lease had run out), and then the abort
   * reason is thrown.
   */
  receive(input: ReceiveInputInit, options: CallOptions = {}): Promise<ReceiveResult> {
    const base = options.timeoutMs ?? this.http.timeoutMs;
    // 0 and Infinity mean "no timeout": adding the wait would turn them into one.
    const timeoutMs = base > 0 && Number.isFinite(base) ? base + (input.waitSeconds ?? 0) * 1000 : base;
    return receiveOrGiveBack(this.http, input, { ...options, timeoutMs }, async (deliveries) => {
      // Not under the caller's signal, which has aborted; a nack that fails leaves the lease to run out.
      await Promise.allSettled(
        deliveries.map((d) =>
          this.nack(
            { receipt: d.receipt, delaySeconds: 0, reason: ABORTED_RECEIVE_REASON },
            // An abort waits at most this long more for them: past it, their lease runs out as before.
            { timeoutMs: GIVE_BACK_TIMEOUT_MS },
          ),
        ),
      );
    });
  }

  /** Acknowledges (removes) leased messages; if any receipt is invalid, none is acked. */
  ack(receipts: string | string[], options?: CallOptions): Promise<AckResult> {
    return callRoute(
      this.http,
      busRoutes.ack,
      { body: { receipts: Array.isArray(receipts) ? receipts : [receipts] } },
      options,
    );
  }

  /**
   * Gives a leased message back for redelivery: after `delaySeconds`, or after the server's
   * exponential backoff. Dead-letters it once it has used its attempts.
   */
  nack(input: string | NackInputInit, options?: CallOptions): Promise<NackResult> {
    const body = typeof input === 'string' ? { receipt: input } : input;
    return callRoute(this.http, busRoutes.nack, { body }, options);
  }

  /** Extends a lease so it runs out `leaseSeconds` from now. */
  extend(input: ExtendInputInit, options?: CallOptions): Promise<ExtendResult> {
    return callRoute(this.http, busRoutes.extend, { body: input }, options);
  }

  /** Subscribes an agent to a topic (idempotent). */
  subscribe(agent: string, topic: string, options?: CallOptions): Promise<Subscription> {
    return callRoute(this.http, busRoutes.subscribe, { body: { agent, topic } }, options);
  }

  /** Unsubscribes an agent from a topic; `removed` is false when it was not subscribed. */
  unsubscribe(agent: string, topic: string, options?: CallOptions): Promise<UnsubscribeResult> {
    return callRoute(this.http, busRoutes.unsubscribe, { query: { agent, topic } }, options);
  }

  /** Lists subscriptions, optionally of one agent or one topic. */
  subscriptions(query: SubscriptionQuery = {}, options?: CallOptions): Promise<SubscriptionList> {
    return callRoute(this.http, busRoutes.subscriptions, { query }, options);
  }

  /** One page of dead letters, oldest first; pass `nextCursor` back as `cursor` for the next. */
  deadLetters(query: DeadLetterQueryInit = {}, options?: CallOptions): Promise<DeadLetterPage> {
    return callRoute(this.http, busRoutes.deadLetters, { query }, options);
  }

  /** One dead letter; a `FleetHttpError` with code `not_found` when there is none with that id. */
  deadLetter(id: string, options?: CallOptions): Promise<DeadLetter> {
    return callRoute(this.http, busRoutes.deadLetter, { params: { id } }, options);
  }

  /** Moves dead letters back to ready with their attempts reset. */
  redrive(selector: DeadLetterSelectorInit, options?: CallOptions): Promise<RedriveResult> {
    return callRoute(this.http, busRoutes.redrive, { body: selector }, options);
  }

  /** Deletes dead letters. */
  purge(selector: DeadLetterSelectorInit, options?: CallOptions): Promise<PurgeResult> {
    return callRoute(this.http, busRoutes.purge, { body: selector }, options);
  }

  /** One page of the audit trail, oldest first. */
  audit(query: AuditQueryInit = {}, options?: CallOptions): Promise<AuditPage> {
    return callRoute(this.http, busRoutes.audit, { query }, options);
  }

  /** Queue depth per recipient, and totals. */
  stats(options?: CallOptions): Promise<QueueStats> {
    return callRoute(this.http, busRoutes.stats, {}, options);
  }

  /**
   * Every message sent to `agent` from now on, live (Server-Sent Events), without consuming it.
   * Ends when `signal` aborts, when the server closes the stream, or when the loop breaks.
   *
   * @example
   * ```ts
   * const stop = new AbortController();
   * for await (const message of bus.stream('worker', { signal: stop.signal })) console.log(message.id);
   * ```
   */
  stream(agent: string, options: StreamOptions = {}): AsyncGenerator<Message, void, undefined> {
    return streamRoute(this.http, busRoutes.stream, { query: { agent } }, options);
  }

  /** Runs a worker loop for `agent` until `options.signal` aborts; see {@link consume}. */
  consume(agent: string, handler: MessageHandler, options: ConsumeOptions = {}): Promise<void> {
    return consume(this, agent, handler, options);
  }
}
