import type Database from 'better-sqlite3';
import { openOutboxFile } from './outbox-file.ts';

/** A row of `report_runs`. */
export interface ReportRunRow {
  name: string;
  schedule: string;
  nextAt: number;
}

/** A row of `pending`. */
export interface PendingRow {
  id: number;
  channel: string;
  message: string;
  attempts: number;
  nextAt: number;
  lastError: string | null;
  createdAt: number;
}

/** A row of `log`, or of `pending` shown as `pending`. */
export interface DeliveryRow {
  id: number;
  channel: string;
  message: string;
  status: 'sent' | 'failed' | 'pending';
  attempts: number;
  error: string | null;
  createdAt: number;
  finishedAt: number | null;
}

const PENDING_COLUMNS =
  'id, channel, message, attempts, next_at AS nextAt, last_error AS lastError, created_at AS createdAt';

function prepare(db: Database.Database) {
  return {
    add: db.prepare<[string, string, number, number]>(
      'INSERT INTO pending (channel, message, next_at, created_at) VALUES (?, ?, ?, ?)',
    ),
    // A channel's deliveries go in order: none is due while an older one to that channel is not.
    due: db.prepare<[string, number, string, number, number], PendingRow>(
      `SELECT ${PENDING_COLUMNS} FROM pending WHERE channel = ? AND next_at <= ?
       AND id < (SELECT coalesce(min(id), 9223372036854775807) FROM pending WHERE channel = ? AND next_at > ?)
       ORDER BY id LIMIT ?`,
    ),
    nextAt: db.prepare<[string], number>('SELECT next_at FROM pending WHERE channel = ? ORDER BY id LIMIT 1').pluck(),
    channels: db.prepare<[], string>('SELECT DISTINCT channel FROM pending').pluck(),
    retry: db.prepare<[number, number, string, number]>(
      'UPDATE pending SET attempts = ?, next_at = ?, last_error = ? WHERE id = ?',
    ),
    remove: db.prepare<[number]>('DELETE FROM pending WHERE id = ?'),
    log: db.prepare<[string, string, string, number, string | null, number, number]>(
      `INSERT INTO log (channel, message, status, attempts, error, created_at, finished_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ),
    prune: db.prepare<[number]>('DELETE FROM log WHERE id <= (SELECT max(id) FROM log) - ?'),
    recentLog: db.prepare<[number], DeliveryRow>(
      `SELECT id, channel, message, status, attempts, error, created_at AS createdAt, finished_at AS finishedAt
       FROM log ORDER BY id DESC LIMIT ?`,
    ),
    pending: db.prepare<[number], PendingRow>(`SELECT ${PENDING_COLUMNS} FROM pending ORDER BY id DESC LIMIT ?`),
    addSilence: db.prepare<[string, number, number]>(
      'INSERT INTO silences (silence, until, created_at) VALUES (?, ?, ?)',
    ),
    pruneSilences: db.prepare<[number]>('DELETE FROM silences WHERE until <= ?'),
    silences: db.prepare<[], { id: number; silence: string }>('SELECT id, silence FROM silences ORDER BY id'),
    removeSilence: db.prepare<[number]>('DELETE FROM silences WHERE id = ?'),
    notified: db.prepare<[], { key: string; level: number; atMs: number }>(
      'SELECT key, level, at AS atMs FROM notified',
    ),
    notify: db.prepare<[string, number, number]>(
      'INSERT INTO notified (key, level, at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET level = excluded.level, at = excluded.at',
    ),
    forget: db.prepare<[string]>('DELETE FROM notified WHERE key = ?'),
    reportRuns: db.prepare<[], ReportRunRow>('SELECT name, schedule, next_at AS nextAt FROM report_runs'),
    setReportRun: db.prepare<[string, string, number]>(
      'INSERT INTO report_runs (name, schedule, next_at) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET schedule = excluded.schedule, next_at = excluded.next_at',
    ),
  };
}

/**
 * The outbox's SQLite file: pending deliveries and the log of finished ones, silences, the engine's
 * memory and when each scheduled report runs next.
 */
export class OutboxStore {
  readonly #db: Database.Database;
  readonly #sql: ReturnType<typeof prepare>;
  readonly #keepLog: number;
  readonly #finish: (
    row: PendingRow,
    status: 'sent' | 'failed',
    attempts: number,
    error: string | null,
    at: number,
  ) => void;
  readonly #addAll: (rows: ReadonlyArray<{ channel: string; message: string }>, at: number) => void;

  /** Opens (creating it and its directory) the file at `path`, keeping the newest `keepLog` log rows. */
  constructor(path: string, keepLog: number) {
    this.#db = openOutboxFile(path);
    const db = this.#db;
    this.#keepLog = keepLog;
    this.#sql = prepare(db);
    this.#addAll = db.transaction((rows, at) => {
      for (const row of rows) this.#sql.add.run(row.channel, row.message, at, at);
    });
    this.#finish = db.transaction((row: PendingRow, status, attempts, error, at) => {
      this.#sql.remove.run(row.id);
      this.#sql.log.run(row.channel, row.message, status, attempts, error, row.createdAt, at);
      this.#sql.prune.run(this.#keepLog);
    });
  }

  /** Whether the file is still open. */
  get open(): boolean {
    return this.#db.open;
  }

  /**
   * Runs `fn` in one transaction, rolled back when it throws; inside one, the other writes here
   * (an `add`, an engine entry) are part of it.
   */
  transaction<T>(fn: () => T): T {
    if (!this.#db.open) return fn();
    return this.#db.transaction(fn)();
  }

  /** Stores deliveries due at once, in one transaction. */
  add(rows: ReadonlyArray<{ channel: string; message: string }>, at: number): void {
    this.#addAll(rows, at);
  }

  /**
   * Up to `limit` deliveries to `channel` due at `now`, oldest first, up to the oldest one that is
   * not due yet: a channel's deliveries are sent in the order they were queued.
   */
  due(channel: string, now: number, limit: number): PendingRow[] {
    return this.#sql.due.all(channel, now, channel, now, limit);
  }

  /** When the oldest pending delivery to `channel` (the next one it sends) is due; null when none is pending. */
  nextDueAt(channel: string): number | null {
    return this.#sql.nextAt.get(channel) ?? null;
  }

  /** The channels that have pending deliveries. */
  pendingChannels(): string[] {
    return this.#sql.channels.all();
  }

  /** Records a failed attempt and when to try again. */
  retry(id: number, attempts: number, nextAt: number, error: string): void {
    this.#sql.retry.run(attempts, nextAt, error, id);
  }

  /** Moves a delivery from `pending` to the log. */
  finish(row: PendingRow, status: 'sent' | 'failed', attempts: number, error: string | null, at: number): void {
    this.#finish(row, status, attempts, error, at);
  }

  /** The newest `limit` pending deliveries and the newest `limit` logged ones. */
  recent(limit: number): { pending: PendingRow[]; log: DeliveryRow[] } {
    return { pending: this.#sql.pending.all(limit), log: this.#sql.recentLog.all(limit) };
  }

  /** Stores a silence (JSON) that ends at `until`; returns its id. */
  addSilence(silence: string, until: number, at: number): number {
    return Number(this.#sql.addSilence.run(silence, until, at).lastInsertRowid);
  }

  /** The silences that have not ended at `now` (ended ones are deleted), oldest first. */
  silences(now: number): Array<{ id: number; silence: string }> {
    this.#sql.pruneSilences.run(now);
    return this.#sql.silences.all();
  }

  /** Every stored engine entry. */
  notified(): Array<{ key: string; level: number; atMs: number }> {
    return this.#sql.notified.all();
  }

  /** Stores an engine entry, or deletes it with `undefined`. */
  setNotified(key: string, value: { level: number; atMs: number } | undefined): void {
    if (!this.#db.open) return;
    if (value === undefined) this.#sql.forget.run(key);
    else this.#sql.notify.run(key, value.level, value.atMs);
  }

  /** When each scheduled report runs next. */
  reportRuns(): ReportRunRow[] {
    return this.#sql.reportRuns.all();
  }

  /** Stores when the report `name` runs next. */
  setReportRun(row: ReportRunRow): void {
    if (!this.#db.open) return;
    this.#sql.setReportRun.run(row.name, row.schedule, row.nextAt);
  }

  /** Deletes a silence; false when there was none with that id. */
  removeSilence(id: number): boolean {
    return this.#sql.removeSilence.run(id).changes > 0;
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }
}
