import { FleetError } from '../errors.ts';
import type { AuditQuery } from '../schemas/audit.ts';
import type { DeadLetter, DeadLetterQuery, DeadLetterSelector } from '../schemas/dead-letter.ts';
import type { Delivery, ExtendInput, ExtendResult, NackInput, NackResult } from '../schemas/lease.ts';
import type { Page } from '../schemas/list.ts';
import type { Message, SendInput, SendResult } from '../schemas/message.ts';
import type { QueueStats, RecipientStats } from '../schemas/stats.ts';
import type { Subscription, SubscriptionQuery } from '../schemas/subscription.ts';
import { MemoryAuditLog } from './internal/memory-audit-log.ts';
import { MessageListeners } from './internal/message-listeners.ts';
import { toDeadLetter, toMessage } from './internal/message-record.ts';
import { type ResolvedStoreOptions, resolveStoreOptions } from './internal/options.ts';
import { buildQueueStats } from './internal/queue-stats.ts';
import { planSends } from './internal/send-plan.ts';
import {
  assertExtendArguments,
  assertLeaseArguments,
  assertNackArguments,
  assertPollArguments,
  assertSendArguments,
  assertSubscriptionArguments,
} from './internal/store-arguments.ts';
import { MemoryAgents } from './memory/agents.ts';
import { deadLetterPage, purgeDeadLetters, redriveDeadLetters } from './memory/dead-letters.ts';
import { leaseMessages, pollMessages } from './memory/deliveries.ts';
import { MemoryIdempotency } from './memory/idempotency.ts';
import { MemoryMessages } from './memory/messages.ts';
import { ackLeased, extendLeased, nackLeased } from './memory/receipt-writes.ts';
import { MemorySubscriptions } from './memory/subscriptions.ts';
import type { AuditTrailPage, LeaseRequest, MessageStore, MessageStoreOptions } from './message-store.ts';

/**
 * A {@link MessageStore} that keeps everything in memory: for tests and ephemeral buses. Nothing
 * survives a restart. Behaves exactly like the SQLite store (one behaviour suite runs against both).
 *
 * @example
 * const store = new MemoryMessageStore({ maxAttempts: 3 });
 * await store.send({ from: 'a', to: 'b', type: 'hello', payload: null, priority: 0, delaySeconds: 0, ttlSeconds: null, idempotencyKey: null });
 */
export class MemoryMessageStore implements MessageStore {
  readonly backend = 'memory' as const;
  readonly #options: ResolvedStoreOptions;
  readonly #audit = new MemoryAuditLog();
  readonly #messages: MemoryMessages;
  readonly #agents: MemoryAgents;
  readonly #subscriptions = new MemorySubscriptions();
  readonly #idempotency = new MemoryIdempotency();
  readonly #listeners = new MessageListeners();
  #closed = false;

  constructor(options: MessageStoreOptions = {}) {
    this.#options = resolveStoreOptions(options);
    this.#messages = new MemoryMessages(this.#audit, this.#options);
    this.#agents = new MemoryAgents(this.#options);
  }

  async send(input: SendInput): Promise<SendResult> {
    return this.#send([input], false);
  }

  async sendBatch(inputs: SendInput[]): Promise<SendResult> {
    return this.#send(inputs, true);
  }

  /** `batch`: errors name fields as in `POST /messages/batch` (`messages.3.payload`). */
  async #send(inputs: SendInput[], batch: boolean): Promise<SendResult> {
    this.#assertOpen();
    assertSendArguments(inputs, batch);
    const now = this.#options.now();
    // Planning reads only and may throw; applying cannot fail, so a batch is all or nothing.
    const plan = planSends(
      inputs,
      {
        knownAgents: () => this.#agents.known(now),
        subscribers: (topic) => this.#subscriptions.subscribers(topic),
        idempotency: (from, key) => this.#idempotency.get(from, key),
      },
      now,
      this.#options.idempotencyWindowSeconds,
      batch,
    );
    for (const agent of plan.agents) this.#agents.see(agent, now);
    for (const key of plan.keys) this.#idempotency.save(key);
    for (const record of plan.records) this.#messages.insert(record);
    this.#audit.append(...plan.audit);
    for (const record of plan.records) this.#listeners.emit(toMessage(record));
    return plan.result;
  }

  async lease(request: LeaseRequest): Promise<Delivery[]> {
    this.#assertOpen();
    assertLeaseArguments(request);
    const now = this.#options.now();
    this.#agents.see(request.agent, now);
    return leaseMessages(this.#messages, request, now);
  }

  async poll(agent: string, limit: number, maxBytes?: number): Promise<Message[]> {
    this.#assertOpen();
    assertPollArguments(agent, limit, maxBytes);
    const now = this.#options.now();
    this.#agents.see(agent, now);
    return pollMessages(this.#messages, agent, limit, now, maxBytes);
  }

  async ack(receipts: string[]): Promise<number> {
    this.#assertOpen();
    return ackLeased(this.#messages, receipts, this.#options.now());
  }

  async nack(input: NackInput): Promise<NackResult> {
    this.#assertOpen();
    assertNackArguments(input);
    return nackLeased(this.#messages, input, this.#options.now(), this.#options);
  }

  async extendLease(input: ExtendInput): Promise<ExtendResult> {
    this.#assertOpen();
    assertExtendArguments(input);
    return extendLeased(this.#messages, input, this.#options.now());
  }

  async subscribe(agent: string, topic: string): Promise<Subscription> {
    this.#assertOpen();
    assertSubscriptionArguments(agent, topic);
    const now = this.#options.now();
    this.#agents.see(agent, now);
    return this.#subscriptions.subscribe(agent, topic, now);
  }

  async unsubscribe(agent: string, topic: string): Promise<boolean> {
    this.#assertOpen();
    assertSubscriptionArguments(agent, topic);
    return this.#subscriptions.unsubscribe(agent, topic);
  }

  async subscriptions(query: SubscriptionQuery): Promise<Subscription[]> {
    this.#assertOpen();
    return this.#subscriptions.list(query);
  }

  async deadLetters(query: DeadLetterQuery): Promise<Page<DeadLetter>> {
    this.#assertOpen();
    return deadLetterPage(this.#messages, query);
  }

  async deadLetter(id: string): Promise<DeadLetter | undefined> {
    this.#assertOpen();
    const entry = this.#messages.get(id);
    return entry?.state === 'dead' ? toDeadLetter(entry) : undefined;
  }

  async redrive(selector: DeadLetterSelector): Promise<number> {
    this.#assertOpen();
    return redriveDeadLetters(this.#messages, selector, this.#options.now());
  }

  async purge(selector: DeadLetterSelector): Promise<number> {
    this.#assertOpen();
    return purgeDeadLetters(this.#messages, selector, this.#options.now());
  }

  async audit(query: AuditQuery): Promise<AuditTrailPage> {
    this.#assertOpen();
    return this.#audit.query(query);
  }

  async stats(): Promise<QueueStats> {
    this.#assertOpen();
    const now = this.#options.now();
    const recipients: RecipientStats[] = [];
    for (const [agent, mailbox] of this.#messages.mailboxes) {
      if (!mailbox.empty) recipients.push(mailbox.stats(agent, now));
    }
    return buildQueueStats(recipients);
  }

  async hasQueued(agent: string): Promise<boolean> {
    this.#assertOpen();
    return this.#messages.mailboxes.get(agent)?.empty === false;
  }

  async sweep(): Promise<void> {
    this.#assertOpen();
    const now = this.#options.now();
    this.#messages.housekeepAll(now);
    this.#agents.forgetUnseen(now);
    this.#audit.prune(now - this.#options.auditMaxAgeSeconds * 1000, this.#options.auditMaxEvents);
    this.#idempotency.prune(now, this.#options.idempotencyWindowSeconds);
  }

  onMessage(listener: (message: Message) => void, agent?: string): () => void {
    return this.#listeners.add(listener, agent);
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#listeners.clear();
  }

  #assertOpen(): void {
    if (this.#closed) throw new FleetError('unavailable', 'The message store is closed');
  }
}
