import type { AuditEvent, AuditQuery } from '../schemas/audit.ts';
import type { DeadLetter, DeadLetterQuery, DeadLetterSelector } from '../schemas/dead-letter.ts';
import type { Delivery, ExtendInput, ExtendResult, NackInput, NackResult } from '../schemas/lease.ts';
import type { Page } from '../schemas/list.ts';
import type { Message, SendInput, SendResult } from '../schemas/message.ts';
import type { QueueStats } from '../schemas/stats.ts';
import type { Subscription, SubscriptionQuery } from '../schemas/subscription.ts';

/** A page of the audit trail as a store returns it. */
export interface AuditTrailPage extends Page<AuditEvent> {
  /**
   * When the newest event that retention removed happened (ISO 8601); null when it never removed
   * one: the trail is complete after this time.
   */
  prunedThrough: string | null;
}

/** Tunables shared by every MessageStore backend. */
export interface MessageStoreOptions {
  /** Clock in milliseconds since the epoch; tests pass a controllable one. @default Date.now */
  now?: () => number;
  /** Source of randomness for backoff jitter, in [0, 1). @default Math.random */
  random?: () => number;
  /** Deliveries after which a message is dead-lettered with reason `max_attempts`. @default 5 */
  maxAttempts?: number;
  /** How long a repeated idempotency key returns the original send. @default 300 */
  idempotencyWindowSeconds?: number;
  /** First backoff of a nack without a delay; doubled per attempt, with full jitter. @default 1 */
  backoffBaseSeconds?: number;
  /** Ceiling of the nack backoff. @default 300 */
  backoffMaxSeconds?: number;
  /** Audit events older than this are pruned by `sweep()`. @default 604800 (7 days) */
  auditMaxAgeSeconds?: number;
  /**
   * At most this many audit events are kept; `sweep()` prunes the oldest. On PostgreSQL a sequence
   * number that a rolled-back write took among the newest events counts as one of them.
   * @default 100000
   */
  auditMaxEvents?: number;
  /**
   * How long an agent stays known after it was last seen (it sent, was sent to, subscribed, leased
   * or polled). A broadcast (`to: "*"`) reaches only the agents seen within this time, and
   * `sweep()` forgets the others; messages already queued for a forgotten agent stay, and it is
   * known again once it is seen again. The time seen is stored at most about once a minute per
   * agent, so an agent may be forgotten up to a minute early. `0` keeps every agent for ever.
   * @default 604800 (7 days)
   * @example 24 * 3600 // workers named per job: forget them a day after their last receive
   */
  agentRetentionSeconds?: number;
}

/** What a leased receive asks the store for (long polling lives above the store). */
export interface LeaseRequest {
  /** The agent whose messages to lease. */
  agent: string;
  /** Most messages to lease: a whole number from 1 to `MAX_BATCH_SIZE` (100), as `ReceiveInput.limit`. */
  limit: number;
  /** Seconds the messages stay leased: above 0, at most `MAX_LEASE_SECONDS`, as `ReceiveInput.leaseSeconds`. */
  leaseSeconds: number;
}

/**
 * The durable queue behind the bus. Three backends implement it with the same behaviour:
 * `MemoryMessageStore`, `SqliteMessageStore` and `PostgresMessageStore`.
 *
 * Semantics in brief: sends go to one agent, to every subscriber of a topic, or to every known agent
 * (seen within `agentRetentionSeconds`) but the sender; delivery is by priority (higher first) then FIFO per recipient; a leased receive
 * hides a message until ack, nack or lease expiry; each delivery is an attempt, and after
 * `maxAttempts` the message is dead-lettered; expired messages are dead-lettered, never delivered.
 *
 * The stores are called without the HTTP layer's schemas, so each checks the numbers it is given
 * (a send's `priority`, `delaySeconds` and `ttlSeconds`, a lease's or poll's `limit`, `leaseSeconds`,
 * a nack's `delaySeconds`) against the same bounds before it changes anything: a number out of
 * bounds fails that call alone with `validation_failed`, naming the field as the request bodies do
 * (`priority`, or `messages.3.priority` in a batch).
 */
export interface MessageStore {
  /** Which backend this is, for health output. */
  readonly backend: 'memory' | 'sqlite' | 'postgres';

  /** Stores one send (one copy per recipient). Resolves once it is durable. */
  send(input: SendInput): Promise<SendResult>;
  /** Stores up to 100 sends atomically: all or none. */
  sendBatch(inputs: SendInput[]): Promise<SendResult>;

  /** Leases up to `limit` deliverable messages for an agent. */
  lease(request: LeaseRequest): Promise<Delivery[]>;
  /**
   * The old bus's at-most-once poll: removes and returns up to `limit` deliverable messages, and
   * only as many as fit in `maxBytes` (each message as `AnswerBudget` counts it: payload and text
   * fields as JSON plus 512 bytes, never less than it takes in the answer; always at least one;
   * the rest stay queued). @default maxBytes unbounded
   */
  poll(agent: string, limit: number, maxBytes?: number): Promise<Message[]>;
  /** Acknowledges leased messages; throws `receipt_unknown`/`receipt_expired` (acking nothing) if any receipt is bad. */
  ack(receipts: string[]): Promise<number>;
  /** Returns a leased message for redelivery, or dead-letters it when it has used its attempts. */
  nack(input: NackInput): Promise<NackResult>;
  /** Extends a lease from now. */
  extendLease(input: ExtendInput): Promise<ExtendResult>;

  /** Subscribes an agent to a topic (idempotent). */
  subscribe(agent: string, topic: string): Promise<Subscription>;
  /** Removes a subscription; false when there was none. */
  unsubscribe(agent: string, topic: string): Promise<boolean>;
  /** Lists subscriptions, filtered by agent and/or topic. */
  subscriptions(query: SubscriptionQuery): Promise<Subscription[]>;

  /** Lists dead letters, oldest first, paginated. */
  deadLetters(query: DeadLetterQuery): Promise<Page<DeadLetter>>;
  /** One dead letter by message id, or undefined. */
  deadLetter(id: string): Promise<DeadLetter | undefined>;
  /** Moves dead letters back to ready with attempts reset; returns how many. */
  redrive(selector: DeadLetterSelector): Promise<number>;
  /** Deletes dead letters; returns how many. */
  purge(selector: DeadLetterSelector): Promise<number>;

  /** Reads the audit trail, oldest first, paginated; says how far back retention has removed events. */
  audit(query: AuditQuery): Promise<AuditTrailPage>;
  /** Per-recipient depth and totals. */
  stats(): Promise<QueueStats>;

  /**
   * Housekeeping: returns expired leases to ready (or dead-letters them), dead-letters expired
   * messages, prunes the audit trail and old idempotency keys, and forgets the agents unseen for
   * longer than `agentRetentionSeconds`. Servers call it on a timer.
   */
  sweep(): Promise<void>;

  /**
   * Calls `listener` with every message copy stored from now on, or only with those to `agent`
   * when given (a PostgreSQL replica then reads only other replicas' messages to the agents
   * listened for). Returns an unsubscribe function.
   */
  onMessage(listener: (message: Message) => void, agent?: string): () => void;

  /**
   * Whether anything is queued for `agent`, in any state (ready, delayed, in flight or dead). When
   * nothing is, only a new send can give it a message, which `onMessage` announces, so a long poll
   * (`leaseWithWait`) leases again every 5 s instead of every half second. A store without it is
   * re-checked every half second.
   */
  hasQueued?(agent: string): Promise<boolean>;

  /**
   * Extra `/health` details: for a backend that depends on something that can fail apart from the
   * process, whether it answers (PostgreSQL: the database); SQLite: its durability, read back from
   * the connection. Rejects when the store cannot serve.
   */
  health?(): Promise<Record<string, unknown>>;

  /** Flushes pending work and closes the store. */
  close(): Promise<void>;
}
