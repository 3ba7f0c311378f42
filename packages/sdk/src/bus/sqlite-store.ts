import type Database from 'better-sqlite3';
import { FleetError } from '../errors.ts';
import type { FileLock } from '../internal/sqlite-file-lock.ts';
import type { AuditQuery } from '../schemas/audit.ts';
import type { DeadLetter, DeadLetterQuery, DeadLetterSelector } from '../schemas/dead-letter.ts';
import type { Delivery, ExtendInput, ExtendResult, NackInput, NackResult } from '../schemas/lease.ts';
import type { Page } from '../schemas/list.ts';
import type { Message, SendInput, SendResult } from '../schemas/message.ts';
import type { QueueStats } from '../schemas/stats.ts';
import type { Subscription, SubscriptionQuery } from '../schemas/subscription.ts';
import { runRetentionPasses } from './internal/audit-retention.ts';
import { MessageListeners } from './internal/message-listeners.ts';
import { type MessageRecord, toDeadLetter, toMessage } from './internal/message-record.ts';
import { type ResolvedStoreOptions, resolveStoreOptions } from './internal/options.ts';
import {
  assertExtendArguments,
  assertLeaseArguments,
  assertNackArguments,
  assertPollArguments,
  assertSubscriptionArguments,
} from './internal/store-arguments.ts';
import type { AuditTrailPage, LeaseRequest, MessageStore } from './message-store.ts';
import {
  type Durability,
  durabilityOf,
  readSettings,
  readSynchronous,
  type SqliteSettings,
} from './sqlite/connection-settings.ts';
import { purgeDeadLetters, redriveDeadLetters, selectDead } from './sqlite/dead-letter-writes.ts';
import { leaseMessages, pollMessages } from './sqlite/deliveries.ts';
import { GroupCommitWriter } from './sqlite/group-commit.ts';
import { openBusFile } from './sqlite/open-file.ts';
import { readAudit, readDeadLetters, readStats, readSubscriptions } from './sqlite/reads.ts';
import { ackLeased, checkLease, checkLeases, extendLeased, nackLeased } from './sqlite/receipt-writes.ts';
import { fromRow } from './sqlite/rows.ts';
import { StatementCache, type Statements } from './sqlite/statements.ts';
import { asStorageError } from './sqlite/storage-errors.ts';
import type { SqliteMessageStoreOptions } from './sqlite/store-options.ts';
import { subscribeAgent, unsubscribeAgent } from './sqlite/subscription-writes.ts';
import { SqliteTransitions } from './sqlite/transitions.ts';
import { sendWrite } from './sqlite/write-sends.ts';

export type { SqliteMessageStoreOptions } from './sqlite/store-options.ts';

const NOTHING_TO_CHECK = () => undefined;

/**
 * A {@link MessageStore} in one SQLite file (better-sqlite3, an optional peer dependency).
 *
 * Writes (sends, leases, acks, ...) called in the same tick run in call order in ONE transaction
 * (group commit) and resolve once it has committed, so under load many writes share one commit.
 * Reads first commit the pending writes. Leasing for a recipient is an index range scan in
 * delivery order, so it costs the same with a million messages queued as with a thousand.
 *
 * @example
 * const store = new SqliteMessageStore({ path: './data/bus.db', durability: 'fsync' });
 * await store.send(SendInput.parse({ from: 'planner', to: 'worker-1', payload: { task: 42 } }));
 * const [delivery] = await store.lease({ agent: 'worker-1', limit: 1, leaseSeconds: 30 });
 */
export class SqliteMessageStore implements MessageStore {
  readonly backend = 'sqlite' as const;
  readonly #db: Database.Database;
  readonly #lock: FileLock;
  readonly #options: ResolvedStoreOptions;
  readonly #sql: Statements;
  readonly #queries: StatementCache;
  readonly #transitions: SqliteTransitions;
  readonly #writer: GroupCommitWriter;
  readonly #listeners = new MessageListeners();
  #closed = false;

  constructor(options: SqliteMessageStoreOptions) {
    // Options first: a value out of range fails before the file is opened.
    this.#options = resolveStoreOptions(options);
    // Refuses, in one line naming the file, one that is not the bus's, that this process cannot
    // write, or that another store has open; changes nothing in a file it refuses.
    const { db, sql, lock } = openBusFile(options.path, options.durability ?? 'normal', options.now?.() ?? Date.now());
    this.#sql = sql;
    this.#db = db;
    this.#lock = lock;
    this.#queries = new StatementCache(db);
    this.#transitions = new SqliteTransitions(this.#sql, this.#options);
    this.#writer = new GroupCommitWriter(
      db,
      () => this.#transitions.rolledBack(),
      () => this.#transitions.counters.write(),
    );
  }

  /** Group-commit transactions committed since opening; fewer than the writes when grouping works. */
  get commitCount(): number {
    return this.#writer.commits;
  }

  /** The connection's journal mode, `synchronous` level, busy timeout and schema version, read back from SQLite. */
  settings(): SqliteSettings {
    this.#assertOpen();
    return readSettings(this.#db);
  }

  /**
   * How durable a commit is, read back from the connection's `PRAGMA synchronous` rather than taken
   * from the options: `'fsync'` for FULL (or EXTRA), `'normal'` for NORMAL, `'off'` for OFF (which
   * this store never sets). `fleet-bus server` prints it and `/health` reports it.
   */
  get durability(): Durability | 'off' {
    this.#assertOpen();
    // One pragma, not the whole of settings(): `/health` reads it on every probe.
    return durabilityOf(readSynchronous(this.#db));
  }

  /**
   * `/health` details: the {@link durability} read back from SQLite. Rejects once the store is
   * closed, and with `unavailable` (its `details.reason` `disk_full`, `read_only`, `locked` or
   * `io_error`) while the last write failed because of the storage and none has succeeded since, so
   * `/health` answers 503 until a send or the sweeper's next write (every second) goes through.
   */
  async health(): Promise<Record<string, unknown>> {
    const durability = this.durability;
    if (this.#writer.failure) throw this.#writer.failure;
    return { durability };
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
    const now = this.#options.now();
    const written = await this.#writer.enqueue({
      ...sendWrite(this.#sql, this.#transitions, inputs, now, this.#options.idempotencyWindowSeconds, batch),
      committed: ({ records }) => this.#emit(records),
    });
    return written.result;
  }

  async lease(request: LeaseRequest): Promise<Delivery[]> {
    const now = this.#options.now();
    return this.#enqueue(
      () => assertLeaseArguments(request),
      () => leaseMessages(this.#sql, this.#transitions, request, now),
    );
  }

  async poll(agent: string, limit: number, maxBytes?: number): Promise<Message[]> {
    const now = this.#options.now();
    return this.#enqueue(
      () => assertPollArguments(agent, limit, maxBytes),
      () => pollMessages(this.#sql, this.#transitions, agent, limit, now, maxBytes),
    );
  }

  async ack(receipts: string[]): Promise<number> {
    const now = this.#options.now();
    return this.#enqueue(
      // Every receipt is checked before anything is deleted: one bad receipt acks nothing.
      () => checkLeases(this.#sql, receipts, now),
      (rows) => ackLeased(this.#transitions, rows, now),
    );
  }

  async nack(input: NackInput): Promise<NackResult> {
    const now = this.#options.now();
    return this.#enqueue(
      () => {
        assertNackArguments(input);
        return checkLease(this.#sql, input.receipt, now);
      },
      (row) => nackLeased(this.#transitions, row, input, now, this.#options),
    );
  }

  async extendLease(input: ExtendInput): Promise<ExtendResult> {
    const now = this.#options.now();
    return this.#enqueue(
      () => {
        assertExtendArguments(input);
        return checkLease(this.#sql, input.receipt, now);
      },
      (row) => extendLeased(this.#sql, row, input, now),
    );
  }

  async subscribe(agent: string, topic: string): Promise<Subscription> {
    const now = this.#options.now();
    return this.#enqueue(
      () => assertSubscriptionArguments(agent, topic),
      () => subscribeAgent(this.#sql, this.#transitions, agent, topic, now),
    );
  }

  async unsubscribe(agent: string, topic: string): Promise<boolean> {
    return this.#enqueue(
      () => assertSubscriptionArguments(agent, topic),
      () => unsubscribeAgent(this.#sql, agent, topic),
    );
  }

  async subscriptions(query: SubscriptionQuery): Promise<Subscription[]> {
    return this.#read(() => readSubscriptions(this.#queries, query));
  }

  async deadLetters(query: DeadLetterQuery): Promise<Page<DeadLetter>> {
    return this.#read(() => readDeadLetters(this.#sql, query));
  }

  async deadLetter(id: string): Promise<DeadLetter | undefined> {
    return this.#read(() => {
      const row = this.#sql.messageById.get(id);
      return row?.state === 'dead' ? toDeadLetter(fromRow(row)) : undefined;
    });
  }

  async redrive(selector: DeadLetterSelector): Promise<number> {
    const now = this.#options.now();
    return this.#enqueue(
      () => selectDead(this.#sql, selector),
      (rows) => redriveDeadLetters(this.#sql, this.#transitions, rows, now),
    );
  }

  async purge(selector: DeadLetterSelector): Promise<number> {
    const now = this.#options.now();
    return this.#enqueue(
      () => selectDead(this.#sql, selector),
      (rows) => purgeDeadLetters(this.#transitions, rows, now),
    );
  }

  async audit(query: AuditQuery): Promise<AuditTrailPage> {
    return this.#read(() => readAudit(this.#queries, this.#sql, query));
  }

  async stats(): Promise<QueueStats> {
    // One read transaction: the counters and their corrections from the same snapshot.
    return this.#read(() => this.#db.transaction(() => readStats(this.#sql, this.#options.now()))());
  }

  async hasQueued(agent: string): Promise<boolean> {
    return this.#read(() => this.#sql.hasQueued.get(agent) !== undefined);
  }

  async sweep(): Promise<void> {
    const now = this.#options.now();
    await this.#enqueue(NOTHING_TO_CHECK, () => this.#transitions.sweep(now));
    // Audit retention in passes, each its own commit, with requests served between them.
    await runRetentionPasses(
      () => this.#enqueue(NOTHING_TO_CHECK, () => this.#transitions.pruneAudit(now)),
      () => this.#closed,
    );
  }

  onMessage(listener: (message: Message) => void, agent?: string): () => void {
    return this.#listeners.add(listener, agent);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    // Closed first: a listener that writes when the last writes commit (a forwarder) is refused as
    // `unavailable`, not queued for a database about to close.
    this.#closed = true;
    this.#writer.flush();
    this.#listeners.clear();
    this.#db.close();
    // After the file: the next store on it must find every write of this one committed.
    this.#lock.release();
  }

  #assertOpen(): void {
    if (this.#closed) throw new FleetError('unavailable', 'The message store is closed');
  }

  /** Runs `fn` after the pending writes, reading only; a storage failure rejects as `unavailable`. */
  #read<T>(fn: () => T): T {
    this.#assertOpen();
    this.#writer.flush();
    try {
      return fn();
    } catch (error) {
      throw asStorageError(error);
    }
  }

  /**
   * Queues a write for the next group commit, after every write called before it: `check` checks
   * the arguments and reads, and may throw (failing this call alone, never the group), `apply`
   * writes. Refuses at once once the store is closed. Resolves once the group has committed.
   */
  #enqueue<P, T>(check: () => P, apply: (checked: P) => T): Promise<T> {
    this.#assertOpen();
    return this.#writer.enqueue({ prepare: check, apply });
  }

  #emit(records: MessageRecord[]): void {
    if (this.#listeners.size === 0) return;
    for (const record of records) this.#listeners.emit(toMessage(record));
  }
}
