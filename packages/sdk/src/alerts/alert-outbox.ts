import { toIso } from '../internal/iso-time.ts';
import type { AlertDelivery } from './alert-delivery.ts';
import type { AlertEngineMemory } from './alert-engine.ts';
import type { AlertMessage } from './alert-message.ts';
import { AlertSilence } from './alerts-spec.ts';
import type { AlertChannel } from './channel-spec.ts';
import { deliverDue } from './internal/deliver-due.ts';
import { DeliveryLanes } from './internal/delivery-lanes.ts';
import { OutboxStore, type PendingRow } from './internal/outbox-store.ts';

/** Options of {@link AlertOutbox}. */
export interface AlertOutboxOptions {
  /** The SQLite file (created with its directory when missing), or `':memory:'` (not durable). */
  dbPath: string;
  /** The channels by name; a delivery to a name not here fails at once. */
  channels: ReadonlyMap<string, AlertChannel> | Readonly<Record<string, AlertChannel>>;
  /** The link of a message queued without `url` (e.g. its page on the dashboard). */
  link?: (message: AlertMessage) => string | undefined;
  /**
   * Attempts of one delivery before it is given up (recorded as `failed`).
   * @default 8
   */
  maxAttempts?: number;
  /**
   * Delay before the first retry; each further retry doubles it, with full jitter.
   * @default 5000
   */
  baseDelayMs?: number;
  /**
   * Longest backoff between two attempts. A receiver's `Retry-After` asking for longer is
   * honoured all the same, up to 24 hours; each such refusal counts as one of `maxAttempts`.
   * @default 300000 (5 minutes)
   */
  maxDelayMs?: number;
  /**
   * Time one attempt may take (passed to the channel's `send`).
   * @default 10000
   */
  timeoutMs?: number;
  /**
   * Finished deliveries kept in the log (older ones are pruned).
   * @default 1000
   */
  keepLog?: number;
  /** Clock, epoch ms. @default Date.now */
  now?: () => number;
  /** Random numbers in [0, 1), for the jitter. @default Math.random */
  random?: () => number;
  /** Hears of deliveries that failed for good (never the message's secrets: channels redact). */
  logger?: Pick<Console, 'warn'>;
}

/** Where a report schedule keeps when each report runs next ({@link AlertOutbox.reportRuns}). */
export interface ReportRunMemory {
  /** Every stored entry. */
  load(): Array<{ name: string; schedule: string; nextAt: number }>;
  /** Stores an entry: report `name`, computed from `schedule`, runs next at `nextAt` (epoch ms). */
  save(run: { name: string; schedule: string; nextAt: number }): void;
}

/** What one {@link AlertOutbox.deliverDue} pass did (over every channel). */
export interface DeliveryPass {
  sent: number;
  /** Attempts that failed and will be retried. */
  retried: number;
  /** Deliveries given up: a non-retryable error, or the last attempt. */
  failed: number;
}

/**
 * Durable at-least-once delivery of alerts: every (message, channel) pair is stored in SQLite
 * before anything is sent, and leaves the pending table only in the transaction that logs it as
 * sent or failed. A retryable error (a 5xx, a timeout, a refused connection) is retried with
 * exponential backoff and jitter, up to `maxAttempts`; a non-retryable one (a 4xx) fails at once.
 * Each channel is delivered on its own, in the order its deliveries were queued: one that fails
 * delays no other, and after a retryable failure its later deliveries wait for that one's retry
 * (at least its `Retry-After`, up to 24 h, even past `maxDelayMs`), so a `recovered` never overtakes the `down` it ends and a receiver
 * that is down or asked to wait gets no more attempts meanwhile. A delivery given up (a
 * non-retryable error, the last attempt) holds up nothing. A new outbox on the same file delivers
 * what an earlier process left pending. It needs nothing but the channels' endpoints: no Fleet service has to be up.
 *
 * @example
 * ```ts
 * const outbox = new AlertOutbox({ dbPath: '.fleet/alerts.db', channels: { ops: createChannel('ops', spec) } });
 * outbox.start();
 * outbox.enqueue(message, ['ops']);
 * outbox.recent({ limit: 20 }); // AlertDelivery[], newest first
 * outbox.close();
 * ```
 */
export class AlertOutbox {
  readonly #store: OutboxStore;
  readonly #channels: ReadonlyMap<string, AlertChannel>;
  readonly #settings: Required<Omit<AlertOutboxOptions, 'dbPath' | 'channels' | 'logger' | 'keepLog' | 'link'>>;
  readonly #logger: Pick<Console, 'warn'> | undefined;
  readonly #link: AlertOutboxOptions['link'];
  readonly #abort = new AbortController();
  readonly #lanes: DeliveryLanes;
  #started = false;
  /** Inside {@link AlertOutbox.engineMemory}'s transaction: the channels to wake once it committed. */
  #wakeAfterCommit: Set<string> | undefined;

  constructor(options: AlertOutboxOptions) {
    this.#store = new OutboxStore(options.dbPath, options.keepLog ?? 1000);
    const channels = options.channels;
    this.#channels = channels instanceof Map ? channels : new Map(Object.entries(channels));
    this.#logger = options.logger;
    this.#link = options.link;
    this.#settings = {
      maxAttempts: options.maxAttempts ?? 8,
      baseDelayMs: options.baseDelayMs ?? 5000,
      maxDelayMs: options.maxDelayMs ?? 300_000,
      timeoutMs: options.timeoutMs ?? 10_000,
      now: options.now ?? Date.now,
      random: options.random ?? Math.random,
    };
    this.#lanes = new DeliveryLanes({
      deliver: (channel) =>
        deliverDue(this.#store, channel, this.#channels.get(channel), {
          ...this.#settings,
          signal: this.#abort.signal,
          onGiveUp: (row: PendingRow, error: string) =>
            this.#logger?.warn(`fleet alerts: gave up delivering to channel ${row.channel}: ${error}`),
        }),
      nextDueAt: (channel) => (this.#store.open ? this.#store.nextDueAt(channel) : null),
      now: this.#settings.now,
      onError: (error) => this.#logger?.warn('fleet alerts: a delivery pass failed:', error),
    });
  }

  /**
   * Stores one delivery of `message` per channel name (one transaction), then delivers when started.
   * A message without `url` gets the `link` option's. Inside the transaction of
   * {@link AlertOutbox.engineMemory} it is part of it, and delivering waits until it committed.
   */
  enqueue(message: AlertMessage, channels: readonly string[]): void {
    if (channels.length === 0) return;
    const url = message.url ?? this.#link?.(message);
    const text = JSON.stringify(url === undefined ? message : { ...message, url });
    this.#store.add(
      channels.map((channel) => ({ channel, message: text })),
      this.#settings.now(),
    );
    for (const channel of new Set(channels)) {
      if (this.#wakeAfterCommit) this.#wakeAfterCommit.add(channel);
      else this.#lanes.kick(channel);
    }
  }

  /**
   * Delivers every delivery due now (channels in parallel, each channel's in order), recording
   * each outcome before the next; resolves with what it did. Each channel runs on its own timer
   * once started; call it directly with a test clock. A channel's passes never overlap: a call
   * during one waits for it and runs once more.
   */
  async deliverDue(): Promise<DeliveryPass> {
    const total: DeliveryPass = { sent: 0, retried: 0, failed: 0 };
    if (!this.#store.open) return total;
    const passes = await Promise.all(this.#store.pendingChannels().map((channel) => this.#lanes.pass(channel)));
    for (const pass of passes) {
      total.sent += pass.sent;
      total.retried += pass.retried;
      total.failed += pass.failed;
    }
    return total;
  }

  /** Delivers what is pending now and whenever a delivery comes due (an unref'd timer per channel). */
  start(): void {
    if (this.#started || !this.#store.open) return;
    this.#started = true;
    this.#lanes.start(this.#store.pendingChannels());
  }

  /**
   * The newest `limit` deliveries: pending ones first (newest first), then sent and failed ones
   * (newest first). A report's `report` object is left out (its text is there).
   */
  recent({ limit = 50 }: { limit?: number } = {}): AlertDelivery[] {
    const { pending, log } = this.#store.recent(limit);
    const rows = [
      ...pending.map((row) => ({
        id: row.id,
        channel: row.channel,
        message: row.message,
        status: 'pending' as const,
        attempts: row.attempts,
        error: row.lastError,
        createdAt: row.createdAt,
        finishedAt: null,
      })),
      ...log,
    ].slice(0, limit);
    return rows.map((row) => {
      const { report: _report, ...message } = JSON.parse(row.message) as AlertMessage;
      return {
        channel: row.channel,
        status: row.status,
        attempts: row.attempts,
        error: row.error,
        createdAt: toIso(row.createdAt),
        finishedAt: row.finishedAt === null ? null : toIso(row.finishedAt),
        message,
      };
    });
  }

  /**
   * Stores a silence beside those of the fleet file (what `fleet silence` does); the alerting
   * process using this file applies it from its next check. Returns its id.
   */
  addSilence(silence: AlertSilence): number {
    const parsed = AlertSilence.parse(silence);
    return this.#store.addSilence(JSON.stringify(parsed), Date.parse(parsed.until), this.#settings.now());
  }

  /** The stored silences that have not ended yet, with their ids, oldest first. */
  silences(): Array<AlertSilence & { id: number }> {
    return this.#store
      .silences(this.#settings.now())
      .map(({ id, silence }) => ({ id, ...(JSON.parse(silence) as AlertSilence) }));
  }

  /**
   * The engine's memory in this file (see `AlertEngineOptions.memory`). Its `transaction` is one of
   * this file, so an engine's record of an alert and the alert's {@link AlertOutbox.enqueue} in it
   * commit together (`AlertEngine.atomically`): a failed enqueue or a crash loses no alert.
   */
  engineMemory(): AlertEngineMemory {
    return {
      load: () => this.#store.notified().map(({ key, level, atMs }) => [key, { level, atMs }] as const),
      save: (key, value) => this.#store.setNotified(key, value),
      transaction: (fn) => this.#transaction(fn),
    };
  }

  /** Runs `fn` in one transaction of the file; the channels it queued to are woken once it committed. */
  #transaction<T>(fn: () => T): T {
    if (this.#wakeAfterCommit) return fn();
    // A pass started now would read, and send, rows that may yet roll back.
    const wake = new Set<string>();
    this.#wakeAfterCommit = wake;
    let result: T;
    try {
      result = this.#store.transaction(fn);
    } finally {
      this.#wakeAfterCommit = undefined;
    }
    for (const channel of wake) this.#lanes.kick(channel);
    return result;
  }

  /** When each scheduled report runs next, in this file (see `startReportSchedule`). */
  reportRuns(): ReportRunMemory {
    return {
      load: () => this.#store.reportRuns(),
      save: (run) => this.#store.setReportRun(run),
    };
  }

  /** Deletes a stored silence; false when there is none with that id. */
  removeSilence(id: number): boolean {
    return this.#store.removeSilence(id);
  }

  /** Stops delivering (an attempt in flight is aborted and stays pending) and closes the file. */
  close(): void {
    this.#started = false;
    this.#lanes.stop();
    this.#abort.abort();
    this.#store.close();
  }
}
