import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { Message } from '../../schemas/message.ts';
import { toMessage } from '../internal/message-record.ts';
import { FallbackFloor, readFloorSnapshot } from './fallback-floor.ts';
import { readFallbackStart } from './fallback-start.ts';
import { PgListenConnection } from './listen-connection.ts';
import { MESSAGE_COLUMNS, type MessageRow } from './rows.ts';
import { parsePayload, payloadsOf, type StoredCopy } from './wakeup-payloads.ts';

/** Least time between two notifications of one replica: stored ids gather meanwhile. */
const DEBOUNCE_MS = 5;
/**
 * How long stored ids wait for a statement that carries them ({@link PgWakeups.notificationFor})
 * before a NOTIFY of their own sends them: on a busy replica a statement always comes first.
 */
const NOTIFY_DEADLINE_MS = 2 * DEBOUNCE_MS;
/** How often the polling fallback reads the rows other replicas stored. */
export const PG_WAKEUP_FALLBACK_MS = 1000;
/** Rows the fallback reads at most per round. */
const FALLBACK_BATCH = 1000;
/** Ids remembered as already emitted (local sends, notified and polled rows). */
const SEEN_LIMIT = 50_000;
/** Options of {@link PgWakeups}. */
export interface PgWakeupsOptions {
  /** The database (the dedicated LISTEN connection opens its own connection). */
  url: string;
  /** The store's pool, to read the rows other replicas stored. */
  pool: () => Promise<pg.Pool>;
  /**
   * Who waits for messages on this replica: only their messages are read (nothing when nobody
   * waits). The store's `onMessage` listeners.
   */
  listeners: ListenedAgents;
  /** Hands on a message another replica stored (to the store's `onMessage` listeners). */
  deliver: (message: Message) => void;
}

/** Which recipients a replica's listeners wait for (see `MessageListeners`). */
export interface ListenedAgents {
  /** How many listeners there are. */
  readonly size: number;
  /** Whether a listener waits for messages to `agent`. */
  listensFor(agent: string): boolean;
  /** The recipients listened for; undefined when a listener takes every message. */
  agents(): string[] | undefined;
}

/**
 * Wakes this replica's long polls and streams when another replica stores a message: each send
 * sends the new ids and their recipients on the store's channel (debounced: one NOTIFY per few
 * milliseconds, several payloads in one statement, so one commit), and each replica reads the
 * rows it was told about whose recipients anyone there waits for. A polling fallback reads those
 * agents' rows stored since its last round every second, so a lost notification (a crash between
 * commit and NOTIFY, a broken LISTEN connection) costs at most that; after a reconnect it runs at
 * once.
 */
export class PgWakeups {
  readonly #options: PgWakeupsOptions;
  readonly #replica = randomBytes(6).toString('hex');
  readonly #connection: PgListenConnection;
  readonly #seen = new Set<string>();
  #pending: StoredCopy[] = [];
  #debounce: ReturnType<typeof setTimeout> | undefined;
  #notifying = false;
  /** When the last notification left (by the timer or with another statement). */
  #lastNotifiedAt = 0;
  #started: Promise<void> = Promise.resolve();
  #fetching: string[] = [];
  #fetchRunning = false;
  #fallback: ReturnType<typeof setInterval> | undefined;
  #polling = false;
  /** Where the fallback reads from. */
  readonly #floor = new FallbackFloor();
  #closed = false;
  #rowsRead = 0;
  /** `performance.now()` of {@link start}: what "committed since the construction" counts from. */
  #startedAt = 0;

  constructor(options: PgWakeupsOptions) {
    this.#options = options;
    this.#connection = new PgListenConnection({
      url: options.url,
      onNotification: (payload) => this.#notified(payload),
      onListening: () => void this.#poll(),
    });
  }

  /**
   * Settles once the polling fallback has read its starting point (or failed to: the database is
   * away); from then on every message another replica commits reaches the listeners.
   */
  get started(): Promise<void> {
    return this.#started;
  }

  /** Whether the LISTEN connection is up (else only the fallback wakes this replica). */
  get listening(): boolean {
    return this.#connection.listening;
  }

  /** How many rows this replica has read to hand on others' messages (diagnostics, and tests). */
  get rowsRead(): number {
    return this.#rowsRead;
  }

  /** Opens the LISTEN connection and starts the fallback (once). */
  start(): void {
    if (this.#fallback || this.#closed) return;
    this.#startedAt = performance.now();
    this.#connection.start();
    // The polling fallback's starting point, read at once (not when LISTEN is up, which may take
    // longer): a message committed after it is found by polling even if its notification is lost.
    // Should the database be away, the first round that reaches it works out where the rows
    // committed since now begin (readFallbackStart) rather than starting from the newest.
    this.#started = this.#poll();
    this.#fallback = setInterval(() => void this.#poll(), PG_WAKEUP_FALLBACK_MS);
    this.#fallback.unref();
  }

  /** Tells the other replicas about messages this one committed (and remembers them as emitted here). */
  stored(copies: readonly StoredCopy[]): void {
    if (this.#closed || copies.length === 0) return;
    this.start();
    for (const { id } of copies) this.#remember(id);
    this.#pending.push(...copies);
    this.#debounce ??= setTimeout(() => void this.#notify(), NOTIFY_DEADLINE_MS);
  }

  /**
   * A notification to send with a statement that is about to commit the messages `copies` (it goes
   * out at that commit), carrying them and the ids waiting for the debounce timer: the channel and
   * payloads, or undefined when the last notification left less than the debounce ago or nobody
   * listens (then call {@link stored} after the commit, as for any send). After the commit, call
   * {@link notifiedWith}. Should the statement fail, the waiting ids it took are found by the
   * other replicas' polling fallback.
   */
  notificationFor(copies: readonly StoredCopy[]): { channel: string; payloads: string[] } | undefined {
    const channel = this.#connection.channel;
    if (this.#closed || channel === undefined || (copies.length === 0 && this.#pending.length === 0)) return undefined;
    if (performance.now() - this.#lastNotifiedAt < DEBOUNCE_MS) return undefined;
    this.#lastNotifiedAt = performance.now();
    const waiting = this.#pending;
    this.#pending = [];
    return { channel, payloads: payloadsOf(this.#replica, [...waiting, ...copies]) };
  }

  /** Remembers messages committed with a notification of {@link notificationFor} as emitted here. */
  notifiedWith(copies: readonly StoredCopy[]): void {
    for (const { id } of copies) this.#remember(id);
  }

  /** Runs one round of the polling fallback now, as its timer does every second (tests). */
  pollNow(): Promise<void> {
    return this.#poll();
  }

  /** Stops listening and polling. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#debounce);
    clearInterval(this.#fallback);
    await this.#connection.close();
  }

  async #notify(): Promise<void> {
    this.#debounce = undefined;
    if (this.#notifying || this.#pending.length === 0) return;
    const copies = this.#pending;
    this.#pending = [];
    // Without a connection the ids are dropped: the other replicas' fallback finds the rows.
    if (!this.#connection.listening) return;
    this.#notifying = true;
    this.#lastNotifiedAt = performance.now();
    try {
      await this.#connection.notify(payloadsOf(this.#replica, copies));
    } catch {
      // Dropped likewise.
    } finally {
      this.#notifying = false;
      if (this.#pending.length > 0 && !this.#closed) this.#debounce ??= setTimeout(() => void this.#notify(), 0);
    }
  }

  /** Reads the notified rows whose recipients anyone here waits for (all of an older replica's). */
  #notified(payload: string): void {
    const { listeners } = this.#options;
    if (listeners.size === 0) return;
    const { replica, copies } = parsePayload(payload);
    if (replica === this.#replica) return;
    for (const { id, to } of copies) {
      if (!this.#seen.has(id) && (to === undefined || listeners.listensFor(to))) this.#fetching.push(id);
    }
    void this.#fetch();
  }

  /** Reads the notified rows, one query at a time (ids notified meanwhile wait for the next). */
  async #fetch(): Promise<void> {
    if (this.#fetchRunning || this.#fetching.length === 0) return;
    this.#fetchRunning = true;
    const ids = this.#fetching;
    this.#fetching = [];
    try {
      const pool = await this.#options.pool();
      const { rows } = await pool.query<MessageRow>(
        `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE id = ANY($1::text[]) ORDER BY seq`,
        [ids],
      );
      this.#rowsRead += rows.length;
      this.#emit(rows);
    } catch {
      // The database is away: the fallback reads these rows once it is back.
    } finally {
      this.#fetchRunning = false;
      if (this.#fetching.length > 0 && !this.#closed) void this.#fetch();
    }
  }

  /**
   * One round of the fallback. Without listeners it only moves the floor to the newest row; with
   * them it reads the listened agents' rows past the floor ({@link FallbackFloor}), and in a first
   * round with listeners (the database was away at the construction, or they came first) past the
   * rows stored since the construction.
   */
  async #poll(): Promise<void> {
    if (this.#polling || this.#closed) return;
    this.#polling = true;
    try {
      const pool = await this.#options.pool();
      const { listeners } = this.#options;
      const snapshot = await readFloorSnapshot(pool);
      if (listeners.size === 0) {
        this.#floor.reset(snapshot);
        return;
      }
      let from = this.#floor.from;
      if (from === undefined) {
        // Taking the newest row as the start would skip what other replicas committed since this
        // store was constructed (its first round failed: the database was away) with no NOTIFY here.
        from = await readFallbackStart(pool, performance.now() - this.#startedAt, snapshot.mark.high);
        this.#floor.resume(from);
      }
      const agents = listeners.agents();
      const { rows } =
        agents === undefined
          ? await pool.query<MessageRow>(
              `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE seq > $1 ORDER BY seq LIMIT ${FALLBACK_BATCH}`,
              [from],
            )
          : await pool.query<MessageRow>(
              `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE seq > $1 AND recipient = ANY($2::text[])
              ORDER BY seq LIMIT ${FALLBACK_BATCH}`,
              [from, agents],
            );
      this.#rowsRead += rows.length;
      this.#emit(rows);
      this.#floor.advance(snapshot, rows.length, rows.at(-1)?.seq, FALLBACK_BATCH);
    } catch {
      // The database is away: the next round tries again.
    } finally {
      this.#polling = false;
    }
  }

  #emit(rows: MessageRow[]): void {
    for (const row of rows) {
      if (this.#seen.has(row.id)) continue;
      this.#remember(row.id);
      this.#options.deliver(toMessage(row));
    }
  }

  #remember(id: string): void {
    this.#seen.add(id);
    if (this.#seen.size > SEEN_LIMIT) {
      // Sets iterate in insertion order: drop the oldest.
      for (const old of this.#seen) {
        this.#seen.delete(old);
        if (this.#seen.size <= SEEN_LIMIT / 2) break;
      }
    }
  }
}
