import { FleetError } from '../errors.ts';
import { assertPostgresUrl } from '../internal/pg-url.ts';
import type { AuditQuery } from '../schemas/audit.ts';
import type { DeadLetter, DeadLetterQuery, DeadLetterSelector } from '../schemas/dead-letter.ts';
import type { Delivery, ExtendInput, ExtendResult, NackInput, NackResult } from '../schemas/lease.ts';
import type { Page } from '../schemas/list.ts';
import type { Message, SendInput, SendResult } from '../schemas/message.ts';
import type { QueueStats } from '../schemas/stats.ts';
import type { Subscription, SubscriptionQuery } from '../schemas/subscription.ts';
import { MessageListeners } from './internal/message-listeners.ts';
import { toMessage } from './internal/message-record.ts';
import { type ResolvedStoreOptions, resolveStoreOptions } from './internal/options.ts';
import {
  assertExtendArguments,
  assertLeaseArguments,
  assertNackArguments,
  assertPollArguments,
  assertSendArguments,
  assertSubscriptionArguments,
} from './internal/store-arguments.ts';
import type { AuditTrailPage, LeaseRequest, MessageStore } from './message-store.ts';
import { PG_COMBINED_IN_FLIGHT, PgCombinedWrites } from './postgres/combined-writes.ts';
import { PgDatabase } from './postgres/database.ts';
import { CLOCK_MEASURE_INTERVAL_MS, DatabaseClock } from './postgres/database-clock.ts';
import { purgeDeadLetters, redriveDeadLetters } from './postgres/dead-letter-writes.ts';
import { beforeClaim, leaseMessages, pollMessages } from './postgres/deliveries.ts';
import { pgOperation } from './postgres/failures.ts';
import { assertSendsStorable } from './postgres/nul-text.ts';
import { readAudit, readDeadLetter, readDeadLetters, readSubscriptions } from './postgres/reads.ts';
import { ackCheckingEach, extendLeased, nackLeased } from './postgres/receipt-writes.ts';
import { readCountedStats, readHasQueued } from './postgres/stats.ts';
import type { PostgresMessageStoreOptions } from './postgres/store-options.ts';
import { subscribeAgent, unsubscribeAgent } from './postgres/subscription-writes.ts';
import { sweepAlone } from './postgres/sweep-lock.ts';
import { sweepParts } from './postgres/sweep-parts.ts';
import { PgTransitions } from './postgres/transitions.ts';
import { PgWakeups } from './postgres/wakeups.ts';
import { writeSends } from './postgres/write-sends.ts';

export type { PostgresMessageStoreOptions } from './postgres/store-options.ts';

/**
 * A {@link MessageStore} in PostgreSQL (`pg`, an optional peer dependency, loaded when the store
 * is constructed), for several bus replicas sharing one database.
 *
 * Every operation is one short transaction; none stays open while waiting (long polls wait above
 * the store). Leases claim rows with `FOR UPDATE SKIP LOCKED` in delivery order, so replicas
 * leasing for the same agent get different messages; the lease is a visibility time plus a
 * token, and ack deletes by id and token. Times are computed by the store, not in SQL: with the
 * default clock, this host's aligned with the database server's (measured at connect and every
 * minute), so replicas on hosts whose clocks disagree still agree on when a lease runs out; a `now`
 * given in the options is used as it is.
 *
 * @example
 * const store = await PostgresMessageStore.open({ url: process.env.FLEET_BUS_DB! });
 * await store.send(SendInput.parse({ from: 'planner', to: 'worker-1', payload: { task: 42 } }));
 * const [delivery] = await store.lease({ agent: 'worker-1', limit: 1, leaseSeconds: 30 });
 */
export class PostgresMessageStore implements MessageStore {
  readonly backend = 'postgres' as const;
  readonly #options: ResolvedStoreOptions;
  /** The pool and its schema migration, through which every operation runs. */
  readonly #database: PgDatabase;
  readonly #transitions: PgTransitions;
  readonly #listeners = new MessageListeners();
  /** Wakes this replica's waiters when another replica stores a message (LISTEN/NOTIFY, polling fallback). */
  readonly #wakeups: PgWakeups;
  /** The common sends, leases and acks in one statement, shared by concurrent requests. */
  readonly #combined: PgCombinedWrites;
  /** The database-aligned clock, unless the caller gave the store a clock (`now`). */
  readonly #clock: DatabaseClock | undefined;
  readonly #clockTimer: NodeJS.Timeout | undefined;

  /**
   * Connects lazily: the first operation waits for the schema migration. See {@link PostgresMessageStore.open}.
   * Throws a `TypeError` (without the password) for a URL `pg` cannot read, e.g. one whose password
   * holds a `#`, `/` or `?` that is not percent-encoded.
   */
  constructor(options: PostgresMessageStoreOptions) {
    // Before anything connects: `pg` reads the URL only when it connects, in the background.
    assertPostgresUrl(options.url);
    // Without a clock of the caller's (tests pass one): this host's, aligned with the database's.
    const clock = options.now === undefined ? new DatabaseClock() : undefined;
    this.#clock = clock;
    this.#options = resolveStoreOptions(clock ? { ...options, now: clock.now } : options);
    this.#database = new PgDatabase({
      url: options.url,
      max: Math.max(2, (options.poolSize ?? 10) - PG_COMBINED_IN_FLIGHT),
      now: () => this.#options.now(),
      ...(clock ? { afterMigrate: (pool) => clock.measure(pool) } : {}),
    });
    if (clock) {
      // Clocks drift: measured again every minute (a failure keeps the offset it had).
      this.#clockTimer = setInterval(() => {
        this.#database.read((db) => clock.measure(db)).catch(() => undefined);
      }, CLOCK_MEASURE_INTERVAL_MS);
      this.#clockTimer.unref();
    }
    this.#transitions = new PgTransitions(this.#options);
    this.#wakeups = new PgWakeups({
      url: options.url,
      pool: () => this.#database.ready(),
      listeners: this.#listeners,
      deliver: (message) => this.#listeners.emit(message),
    });
    this.#wakeups.start();
    this.#combined = new PgCombinedWrites({
      url: options.url,
      ready: () => this.#database.ready(),
      transitions: this.#transitions,
      wakeups: this.#wakeups,
      idempotencyWindowSeconds: this.#options.idempotencyWindowSeconds,
    });
  }

  /**
   * Constructs a store and waits until its schema is current and it hears of the messages other
   * replicas store from then on (rejects if the database cannot be reached).
   */
  static async open(options: PostgresMessageStoreOptions): Promise<PostgresMessageStore> {
    const store = new PostgresMessageStore(options);
    try {
      await store.#database.migrated();
      await store.#wakeups.started;
    } catch (error) {
      await store.close();
      throw error;
    }
    return store;
  }

  async send(input: SendInput): Promise<SendResult> {
    // A single send's fields are named as in `POST /message`: `type`, not `messages.0.type`.
    return this.#send([input], false);
  }

  async sendBatch(inputs: SendInput[]): Promise<SendResult> {
    return this.#send(inputs, true);
  }

  async #send(inputs: SendInput[], batch: boolean): Promise<SendResult> {
    this.#assertOpen();
    assertSendArguments(inputs, batch);
    const now = this.#options.now();
    await this.#database.ready();
    assertSendsStorable(inputs, batch);
    // The common send in one statement with others (which tells the other replicas itself).
    const plan = await this.#combined.send(inputs, now);
    const written =
      plan ??
      (await this.#database.transaction((tx) =>
        writeSends(tx, this.#transitions, inputs, now, this.#options.idempotencyWindowSeconds, batch),
      ));
    if (this.#listeners.size > 0) {
      for (const record of written.records) {
        if (this.#listeners.listensFor(record.to)) this.#listeners.emit(toMessage(record));
      }
    }
    if (!plan) this.#wakeups.stored(written.records);
    return written.result;
  }

  async lease(request: LeaseRequest): Promise<Delivery[]> {
    this.#assertOpen();
    assertLeaseArguments(request);
    const now = this.#options.now();
    const fast = await this.#combined.lease(request, now);
    if (fast) return fast;
    // Housekeeping due (or nothing to claim): committed first, then the claim (see leaseMessages).
    await beforeClaim((fn) => this.#database.transaction(fn), this.#transitions, request.agent, now);
    return this.#database.transaction((tx) => leaseMessages(tx, request, now));
  }

  async poll(agent: string, limit: number, maxBytes?: number): Promise<Message[]> {
    this.#assertOpen();
    assertPollArguments(agent, limit, maxBytes);
    const now = this.#options.now();
    await beforeClaim((fn) => this.#database.transaction(fn), this.#transitions, agent, now);
    return this.#database.transaction((tx) => pollMessages(tx, agent, limit, now, maxBytes));
  }

  async ack(receipts: string[]): Promise<number> {
    const now = this.#options.now();
    const acked = await this.#combined.ack(receipts, now);
    if (acked !== undefined) return acked;
    // Some receipt is bad: find which one, under row locks, for the precise error.
    return this.#database.transaction((tx) => ackCheckingEach(tx, receipts, now));
  }

  async nack(input: NackInput): Promise<NackResult> {
    this.#assertOpen();
    assertNackArguments(input);
    const now = this.#options.now();
    return this.#database.transaction((tx) => nackLeased(tx, this.#transitions, input, now, this.#options));
  }

  async extendLease(input: ExtendInput): Promise<ExtendResult> {
    this.#assertOpen();
    assertExtendArguments(input);
    const now = this.#options.now();
    return this.#database.transaction((tx) => extendLeased(tx, input, now));
  }

  async subscribe(agent: string, topic: string): Promise<Subscription> {
    this.#assertOpen();
    assertSubscriptionArguments(agent, topic);
    const now = this.#options.now();
    return this.#database.transaction((tx) => subscribeAgent(tx, this.#transitions, agent, topic, now));
  }

  async unsubscribe(agent: string, topic: string): Promise<boolean> {
    this.#assertOpen();
    assertSubscriptionArguments(agent, topic);
    return this.#database.transaction((tx) => unsubscribeAgent(tx, agent, topic));
  }

  async subscriptions(query: SubscriptionQuery): Promise<Subscription[]> {
    return this.#database.read((db) => readSubscriptions(db, query));
  }

  async deadLetters(query: DeadLetterQuery): Promise<Page<DeadLetter>> {
    return this.#database.read((db) => readDeadLetters(db, query));
  }

  async deadLetter(id: string): Promise<DeadLetter | undefined> {
    return this.#database.read((db) => readDeadLetter(db, id));
  }

  async redrive(selector: DeadLetterSelector): Promise<number> {
    const now = this.#options.now();
    return this.#database.transaction((tx) => redriveDeadLetters(tx, selector, now));
  }

  async purge(selector: DeadLetterSelector): Promise<number> {
    const now = this.#options.now();
    return this.#database.transaction((tx) => purgeDeadLetters(tx, selector, now));
  }

  async audit(query: AuditQuery): Promise<AuditTrailPage> {
    return this.#database.read((db) => readAudit(db, query));
  }

  async stats(): Promise<QueueStats> {
    const now = this.#options.now();
    return this.#database.read((db) => readCountedStats(db, now));
  }

  async hasQueued(agent: string): Promise<boolean> {
    return this.#database.read((db) => readHasQueued(db, agent));
  }

  /** Sweeps unless another replica on this database is sweeping right now (an advisory lock). */
  async sweep(): Promise<void> {
    const sweep = () => sweepParts(this.#database, this.#transitions, this.#options, this.#options.now());
    await pgOperation(async () => sweepAlone(await this.#database.ready(), sweep));
  }

  /**
   * Whether the database answers (`/health`), and whether this replica hears the others' sends
   * at once or only by polling, and how many rows of others' messages it read for its listeners
   * (`wakeupRowsRead`: only those to the agents it has waiters for), and with the default clock how
   * far the database server's clock is ahead of this host's (`clockOffsetMs`, negative when behind);
   * rejects with `unavailable` when the database does not answer.
   */
  async health(): Promise<Record<string, unknown>> {
    await this.#database.read((db) => db.query('SELECT 1'));
    return {
      database: 'reachable',
      wakeups: this.#wakeups.listening ? 'notify' : 'polling',
      wakeupRowsRead: this.#wakeups.rowsRead,
      ...(this.#clock?.offsetMs === undefined ? {} : { clockOffsetMs: this.#clock.offsetMs }),
    };
  }

  /** Refuses a call once the store is closed, before its arguments are checked (as the other stores do). */
  #assertOpen(): void {
    if (this.#database.closed) throw new FleetError('unavailable', 'The message store is closed');
  }

  onMessage(listener: (message: Message) => void, agent?: string): () => void {
    return this.#listeners.add(listener, agent);
  }

  async close(): Promise<void> {
    if (this.#database.closed) return;
    clearInterval(this.#clockTimer);
    this.#database.close();
    this.#listeners.clear();
    await this.#wakeups.close();
    await this.#database.settled();
    await Promise.all([this.#database.end(), this.#combined.close()]);
  }
}
