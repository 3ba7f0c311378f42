import { FleetError } from '../errors.ts';
import { toIso } from '../internal/iso-time.ts';
import type { AuditQuery } from '../schemas/audit.ts';
import type { DeadLetter, DeadLetterQuery, DeadLetterReason, DeadLetterSelector } from '../schemas/dead-letter.ts';
import type { Delivery, ExtendInput, ExtendResult, NackInput, NackResult } from '../schemas/lease.ts';
import type { Page } from '../schemas/list.ts';
import type { Message, SendInput, SendResult } from '../schemas/message.ts';
import type { QueueStats, RecipientStats } from '../schemas/stats.ts';
import type { Subscription, SubscriptionQuery } from '../schemas/subscription.ts';
import { knownSince } from './internal/agent-sightings.ts';
import { auditEntry } from './internal/audit-entry.ts';
import { decodeDeadCursor, encodeDeadCursor } from './internal/cursor.ts';
import { Mailbox, type MailboxEntry } from './internal/mailbox.ts';
import { MemoryAuditLog } from './internal/memory-audit-log.ts';
import { MessageListeners } from './internal/message-listeners.ts';
import { isExpired, toDeadLetter, toMessage } from './internal/message-record.ts';
import { type ResolvedStoreOptions, resolveStoreOptions } from './internal/options.ts';
import { buildQueueStats } from './internal/queue-stats.ts';
import { makeReceipt } from './internal/receipt.ts';
import { checkReceipt } from './internal/receipt-check.ts';
import { type IdempotencyRecord, planSends } from './internal/send-plan.ts';
import { outcomeAfterLeaseExpiry, outcomeAfterNack } from './internal/transitions.ts';
import type { AuditTrailPage, LeaseRequest, MessageStore, MessageStoreOptions } from './message-store.ts';

type Entry = MailboxEntry;

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
  readonly #messages = new Map<string, Entry>();
  readonly #mailboxes = new Map<string, Mailbox>();
  /** Agent -> when it was last seen (sent, was sent to, subscribed, leased or polled). */
  readonly #lastSeen = new Map<string, number>();
  /** topic -> agent -> subscription */
  readonly #subscriptions = new Map<string, Map<string, Subscription>>();
  readonly #idempotency = new Map<string, IdempotencyRecord>();
  readonly #audit = new MemoryAuditLog();
  readonly #listeners = new MessageListeners();
  #seq = 0;
  #closed = false;

  constructor(options: MessageStoreOptions = {}) {
    this.#options = resolveStoreOptions(options);
  }

  async send(input: SendInput): Promise<SendResult> {
    return this.sendBatch([input]);
  }

  async sendBatch(inputs: SendInput[]): Promise<SendResult> {
    this.#assertOpen();
    const now = this.#options.now();
    // Planning reads only and may throw; applying cannot fail, so a batch is all or nothing.
    const plan = planSends(
      inputs,
      {
        knownAgents: () => this.#knownAgents(now),
        subscribers: (topic) => this.#subscriptions.get(topic)?.keys() ?? [],
        idempotency: (from, key) => this.#idempotency.get(idempotencyKey(from, key)),
      },
      now,
      this.#options.idempotencyWindowSeconds,
    );
    for (const agent of plan.agents) this.#see(agent, now);
    for (const key of plan.keys) this.#idempotency.set(idempotencyKey(key.from, key.key), key);
    for (const record of plan.records) {
      const entry: Entry = {
        ...record,
        seq: ++this.#seq,
        state: 'ready',
        leaseToken: null,
        leaseExpiresAt: null,
        deadReason: null,
        deadAt: null,
        lastError: null,
      };
      this.#messages.set(entry.id, entry);
      this.#mailbox(entry.to).ready.insert(entry);
    }
    this.#audit.append(...plan.audit);
    for (const record of plan.records) this.#listeners.emit(toMessage(record));
    return plan.result;
  }

  async lease(request: LeaseRequest): Promise<Delivery[]> {
    this.#assertOpen();
    const now = this.#options.now();
    this.#see(request.agent, now);
    const mailbox = this.#housekeep(request.agent, now);
    const leaseExpiresAt = now + Math.round(request.leaseSeconds * 1000);
    const deliveries: Delivery[] = [];
    for (const entry of mailbox.deliverable(request.limit, now)) {
      const { receipt, leaseToken } = makeReceipt(entry.id);
      mailbox.ready.remove(entry);
      entry.state = 'in_flight';
      entry.attempts += 1;
      entry.leaseToken = leaseToken;
      entry.leaseExpiresAt = leaseExpiresAt;
      mailbox.inFlight.set(entry.id, entry);
      this.#audit.append(
        auditEntry(now, 'delivered', entry, { attempt: entry.attempts, leaseExpiresAt: toIso(leaseExpiresAt) }),
      );
      deliveries.push({ message: toMessage(entry), receipt, leaseExpiresAt: toIso(leaseExpiresAt) });
    }
    return deliveries;
  }

  async poll(agent: string, limit: number): Promise<Message[]> {
    this.#assertOpen();
    const now = this.#options.now();
    this.#see(agent, now);
    const mailbox = this.#housekeep(agent, now);
    const messages: Message[] = [];
    for (const entry of mailbox.deliverable(limit, now)) {
      mailbox.ready.remove(entry);
      this.#messages.delete(entry.id);
      entry.attempts += 1;
      this.#audit.append(auditEntry(now, 'delivered', entry, { mode: 'poll' }));
      messages.push(toMessage(entry));
    }
    return messages;
  }

  async ack(receipts: string[]): Promise<number> {
    this.#assertOpen();
    const now = this.#options.now();
    const entries = new Set(receipts.map((receipt, i) => this.#checkReceipt(receipt, now, `receipts.${i}`)));
    for (const entry of entries) {
      this.#messages.delete(entry.id);
      this.#mailbox(entry.to).inFlight.delete(entry.id);
      this.#audit.append(auditEntry(now, 'acked', entry));
    }
    return entries.size;
  }

  async nack(input: NackInput): Promise<NackResult> {
    this.#assertOpen();
    const now = this.#options.now();
    const entry = this.#checkReceipt(input.receipt, now);
    this.#audit.append(
      auditEntry(now, 'nacked', entry, { delaySeconds: input.delaySeconds ?? null, reason: input.reason ?? null }),
    );
    entry.lastError = input.reason ?? null;
    const outcome = outcomeAfterNack(entry.attempts, input.delaySeconds, now, this.#options);
    this.#mailbox(entry.to).inFlight.delete(entry.id);
    if (outcome.state === 'dead') {
      this.#kill(entry, outcome.reason, now);
      return { id: entry.id, state: 'dead', attempts: entry.attempts, availableAt: null };
    }
    this.#makeReady(entry, outcome.availableAt);
    return { id: entry.id, state: 'ready', attempts: entry.attempts, availableAt: toIso(outcome.availableAt) };
  }

  async extendLease(input: ExtendInput): Promise<ExtendResult> {
    this.#assertOpen();
    const now = this.#options.now();
    const entry = this.#checkReceipt(input.receipt, now);
    entry.leaseExpiresAt = now + Math.round(input.leaseSeconds * 1000);
    return { receipt: input.receipt, leaseExpiresAt: toIso(entry.leaseExpiresAt) };
  }

  async subscribe(agent: string, topic: string): Promise<Subscription> {
    this.#assertOpen();
    const now = this.#options.now();
    this.#see(agent, now);
    let byAgent = this.#subscriptions.get(topic);
    if (!byAgent) {
      byAgent = new Map();
      this.#subscriptions.set(topic, byAgent);
    }
    let subscription = byAgent.get(agent);
    if (!subscription) {
      subscription = { agent, topic, createdAt: toIso(now) };
      byAgent.set(agent, subscription);
    }
    return { ...subscription };
  }

  async unsubscribe(agent: string, topic: string): Promise<boolean> {
    this.#assertOpen();
    const byAgent = this.#subscriptions.get(topic);
    const removed = byAgent?.delete(agent) ?? false;
    if (byAgent?.size === 0) this.#subscriptions.delete(topic);
    return removed;
  }

  async subscriptions(query: SubscriptionQuery): Promise<Subscription[]> {
    this.#assertOpen();
    const topics = query.topic === undefined ? [...this.#subscriptions.keys()] : [query.topic];
    const result: Subscription[] = [];
    for (const topic of topics.sort(compare)) {
      const byAgent = this.#subscriptions.get(topic);
      if (!byAgent) continue;
      for (const agent of [...byAgent.keys()].sort(compare)) {
        if (query.agent === undefined || query.agent === agent) result.push({ ...byAgent.get(agent)! });
      }
    }
    return result;
  }

  async deadLetters(query: DeadLetterQuery): Promise<Page<DeadLetter>> {
    this.#assertOpen();
    const after = query.cursor === undefined ? undefined : decodeDeadCursor(query.cursor);
    const mailboxes = query.agent === undefined ? [...this.#mailboxes.values()] : [this.#mailboxes.get(query.agent)];
    const dead = mailboxes
      .flatMap((mailbox) => (mailbox ? [...mailbox.dead.values()] : []))
      .filter((e) => !after || e.deadAt! > after.deadAt || (e.deadAt === after.deadAt && e.id > after.id))
      .sort((a, b) => a.deadAt! - b.deadAt! || compare(a.id, b.id));
    const page = dead.slice(0, query.limit);
    const last = page.at(-1);
    return {
      items: page.map(toDeadLetter),
      nextCursor: dead.length > page.length && last ? encodeDeadCursor(last.deadAt!, last.id) : null,
    };
  }

  async deadLetter(id: string): Promise<DeadLetter | undefined> {
    this.#assertOpen();
    const entry = this.#messages.get(id);
    return entry?.state === 'dead' ? toDeadLetter(entry) : undefined;
  }

  async redrive(selector: DeadLetterSelector): Promise<number> {
    this.#assertOpen();
    const now = this.#options.now();
    const entries = this.#selectDead(selector);
    for (const entry of entries) {
      this.#mailbox(entry.to).dead.delete(entry.id);
      entry.attempts = 0;
      entry.deadReason = null;
      entry.deadAt = null;
      entry.lastError = null;
      if (isExpired(entry, now)) entry.expiresAt = null;
      this.#makeReady(entry, now);
      this.#audit.append(auditEntry(now, 'redriven', entry));
    }
    return entries.length;
  }

  async purge(selector: DeadLetterSelector): Promise<number> {
    this.#assertOpen();
    const now = this.#options.now();
    const entries = this.#selectDead(selector);
    for (const entry of entries) {
      this.#mailbox(entry.to).dead.delete(entry.id);
      this.#messages.delete(entry.id);
      this.#audit.append(auditEntry(now, 'purged', entry));
    }
    return entries.length;
  }

  async audit(query: AuditQuery): Promise<AuditTrailPage> {
    this.#assertOpen();
    return this.#audit.query(query);
  }

  async stats(): Promise<QueueStats> {
    this.#assertOpen();
    const now = this.#options.now();
    const recipients: RecipientStats[] = [];
    for (const [agent, mailbox] of this.#mailboxes) {
      if (!mailbox.empty) recipients.push(mailbox.stats(agent, now));
    }
    return buildQueueStats(recipients);
  }

  async sweep(): Promise<void> {
    this.#assertOpen();
    const now = this.#options.now();
    // By name, as the other stores: the order of the sweep's audit events.
    for (const agent of [...this.#mailboxes.keys()].sort(compare)) {
      // An empty mailbox holds nothing: dropped, so agents long gone cost no sweep.
      if (this.#housekeep(agent, now).empty) this.#mailboxes.delete(agent);
    }
    const since = knownSince(now, this.#options.agentRetentionSeconds);
    for (const [agent, seen] of this.#lastSeen) {
      if (seen < since) this.#lastSeen.delete(agent);
    }
    this.#audit.prune(now - this.#options.auditMaxAgeSeconds * 1000, this.#options.auditMaxEvents);
    const windowMs = this.#options.idempotencyWindowSeconds * 1000;
    for (const [key, record] of this.#idempotency) {
      if (now - record.at >= windowMs) this.#idempotency.delete(key);
    }
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

  /** Records an agent as seen at `now` (known again if it had been forgotten); the time only moves forward, as on disk. */
  #see(agent: string, now: number): void {
    this.#lastSeen.set(agent, Math.max(now, this.#lastSeen.get(agent) ?? now));
  }

  /** The agents seen within the retention at `now`: those a broadcast reaches. */
  *#knownAgents(now: number): Iterable<string> {
    const since = knownSince(now, this.#options.agentRetentionSeconds);
    for (const [agent, seen] of this.#lastSeen) if (seen >= since) yield agent;
  }

  #mailbox(agent: string): Mailbox {
    let mailbox = this.#mailboxes.get(agent);
    if (!mailbox) {
      mailbox = new Mailbox();
      this.#mailboxes.set(agent, mailbox);
    }
    return mailbox;
  }

  #checkReceipt(receipt: string, now: number, field?: string): Entry {
    return checkReceipt(receipt, (id) => this.#messages.get(id), now, field);
  }

  /** Returns expired leases and dead-letters expired messages of one agent. */
  #housekeep(agent: string, now: number): Mailbox {
    const mailbox = this.#mailbox(agent);
    // By lease expiry, then send order, as the other stores list them.
    const expired = [...mailbox.inFlight.values()]
      .filter((entry) => entry.leaseExpiresAt! <= now)
      .sort((a, b) => a.leaseExpiresAt! - b.leaseExpiresAt! || a.seq - b.seq);
    for (const entry of expired) {
      mailbox.inFlight.delete(entry.id);
      this.#audit.append(auditEntry(now, 'lease_expired', entry));
      const outcome = outcomeAfterLeaseExpiry(entry.attempts, entry.expiresAt, now, this.#options.maxAttempts);
      if (outcome.state === 'dead') {
        if (outcome.reason === 'expired') this.#audit.append(auditEntry(now, 'expired', entry));
        this.#kill(entry, outcome.reason, now);
      } else this.#makeReady(entry, outcome.availableAt);
    }
    for (const entry of mailbox.ready) {
      if (!isExpired(entry, now)) continue;
      mailbox.ready.remove(entry);
      this.#audit.append(auditEntry(now, 'expired', entry));
      this.#kill(entry, 'expired', now);
    }
    return mailbox;
  }

  #makeReady(entry: Entry, availableAt: number): void {
    entry.state = 'ready';
    entry.availableAt = availableAt;
    entry.leaseToken = null;
    entry.leaseExpiresAt = null;
    this.#mailbox(entry.to).ready.insert(entry);
  }

  /** Moves a message (already out of its ready/in-flight structure) to the dead letters. */
  #kill(entry: Entry, reason: DeadLetterReason, now: number): void {
    entry.state = 'dead';
    entry.deadReason = reason;
    entry.deadAt = now;
    entry.leaseToken = null;
    entry.leaseExpiresAt = null;
    this.#mailbox(entry.to).dead.set(entry.id, entry);
    this.#audit.append(auditEntry(now, 'dead_lettered', entry, { reason }));
  }

  #selectDead(selector: DeadLetterSelector): Entry[] {
    if (selector.ids !== undefined) {
      const entries = new Set<Entry>();
      for (const id of selector.ids) {
        const entry = this.#messages.get(id);
        if (entry?.state === 'dead') entries.add(entry);
      }
      return [...entries];
    }
    const mailbox = selector.agent === undefined ? undefined : this.#mailboxes.get(selector.agent);
    // In dead-letter list order (time of death, then id), as the other stores.
    return mailbox ? [...mailbox.dead.values()].sort((a, b) => a.deadAt! - b.deadAt! || compare(a.id, b.id)) : [];
  }
}

function idempotencyKey(from: string, key: string): string {
  return `${from}\u0000${key}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
