import type Database from 'better-sqlite3';
import { openStoreFile } from '../../internal/sqlite-store-file.ts';
import { TargetState } from '../../schemas/monitor.ts';
import type { StateChange } from '../internal/target-state.ts';
import { encodeRaw } from './codec.ts';
import { type HistoryQueries, prepareHistoryQueries } from './history-query.ts';
import { prepareRollup, type RollupResult } from './rollup.ts';
import { configure, MONITOR_FILE, migrate } from './schema.ts';
import { BUCKET_MS, bucketOf } from './time-buckets.ts';

function prepareStatements(db: Database.Database) {
  return {
    findTarget: db.prepare<[string], number>('SELECT id FROM targets WHERE name = ?').pluck(),
    addTarget: db.prepare<[string]>('INSERT INTO targets (name) VALUES (?)'),
    append: db.prepare<[number, number, Buffer]>(
      `INSERT INTO probes (target, bucket, data) VALUES (?, ?, ?)
       ON CONFLICT DO UPDATE SET data = CAST(data || excluded.data AS BLOB), rolled = 0`,
    ),
    addTransition: db.prepare<[number, number, number, number, string | null]>(
      'INSERT INTO transitions (target, at, from_state, to_state, reason) VALUES (?, ?, ?, ?, ?)',
    ),
    transitions: db.prepare<[number, number], { atMs: number; from: number; to: number; reason: string | null }>(
      `SELECT at AS atMs, from_state AS "from", to_state AS "to", reason FROM transitions
       WHERE target = ? ORDER BY id DESC LIMIT ?`,
    ),
    // The newest time wins: a late result (a push check's) does not move a target's last probe back.
    setLast: db.prepare<[number, number | null, number, number]>(
      'UPDATE targets SET last_at = ?, last_ms = ? WHERE id = ? AND (last_at IS NULL OR last_at <= ?)',
    ),
    last: db.prepare<[number], { atMs: number | null; responseTimeMs: number | null }>(
      'SELECT last_at AS atMs, last_ms AS responseTimeMs FROM targets WHERE id = ?',
    ),
    countTransitionsSince: db
      .prepare<[number, number], number>('SELECT count(*) FROM transitions WHERE target = ? AND at >= ?')
      .pluck(),
  };
}

/** Results waiting for the next group commit. */
interface PendingResult {
  target: number;
  bucket: number;
  data: Buffer;
  atMs: number;
  /** Null when no answer came. */
  responseTimeMs: number | null;
}

/** A target's last probe: when, and how long its answer took (null: no answer came). */
export interface LastProbe {
  atMs: number;
  responseTimeMs: number | null;
}

/** Beyond this many waiting results, a write commits at once instead of on the next turn. */
const MAX_PENDING = 5000;

/**
 * Opens the history file at `path` (or `':memory:'`), refusing, in one line naming it, a file this
 * process could only read or that is not the monitor's, before writing to it; then WAL and the
 * migrations.
 */
function openHistoryFile(path: string): Database.Database {
  return openStoreFile(path, MONITOR_FILE, (opened) => {
    configure(opened);
    migrate(opened);
  }).db;
}

/**
 * The monitor's SQLite history: raw results, 5-minute and daily rollups and state transitions
 * of every target, by name. Results are written in group commits (everything recorded in one
 * turn of the event loop in one transaction); reads and rollups commit what is waiting first.
 */
export class HistoryStore {
  readonly #db: Database.Database;
  readonly #ids = new Map<string, number>();
  readonly #sql: ReturnType<typeof prepareStatements>;
  readonly #queries: HistoryQueries;
  readonly #rollup: (nowMs: number) => RollupResult;
  readonly #writeBatch: (batch: readonly PendingResult[]) => void;
  #pending: PendingResult[] = [];
  #flushScheduled = false;

  readonly #onError: (error: unknown) => void;

  /**
   * Opens (creating it and its directory when missing) the history file, or `':memory:'`.
   * `onError` hears of a background group commit that failed (its results are lost).
   */
  constructor(path: string, onError: (error: unknown) => void = () => {}) {
    this.#onError = onError;
    const db = openHistoryFile(path);
    this.#db = db;
    this.#sql = prepareStatements(db);
    this.#queries = prepareHistoryQueries(db);
    this.#rollup = prepareRollup(db);
    this.#writeBatch = db.transaction((batch: readonly PendingResult[]) => {
      const last = new Map<number, PendingResult>();
      for (const result of batch) {
        this.#sql.append.run(result.target, result.bucket, result.data);
        const newest = last.get(result.target);
        if (!newest || result.atMs >= newest.atMs) last.set(result.target, result);
      }
      for (const { target, atMs, responseTimeMs } of last.values()) {
        this.#sql.setLast.run(atMs, responseTimeMs, target, atMs);
      }
    });
  }

  /** The integer id of a target name, created on first use. */
  idOf(name: string): number {
    let id = this.#ids.get(name);
    if (id === undefined) {
      id = this.#sql.findTarget.get(name) ?? Number(this.#sql.addTarget.run(name).lastInsertRowid);
      this.#ids.set(name, id);
    }
    return id;
  }

  /**
   * Queues one probe result for the next group commit. `timed`: its time counts for latency (an
   * answer came that met every condition but response time); an `ok` result always does.
   */
  record(name: string, atMs: number, latencyMs: number, status: number | null, ok: boolean, timed = ok): void {
    const bucket = bucketOf(atMs);
    this.#pending.push({
      target: this.idOf(name),
      bucket,
      data: encodeRaw(atMs - bucket * BUCKET_MS, latencyMs, status, ok, timed),
      atMs,
      responseTimeMs: status === null ? null : Math.round(latencyMs),
    });
    if (this.#pending.length >= MAX_PENDING) this.flush();
    else if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      setImmediate(() => {
        try {
          this.flush();
        } catch (error) {
          this.#onError(error);
        }
      });
    }
  }

  /** Commits the queued results now. */
  flush(): void {
    this.#flushScheduled = false;
    if (this.#pending.length === 0 || !this.#db.open) return;
    const batch = this.#pending;
    this.#pending = [];
    this.#writeBatch(batch);
  }

  /**
   * The newest probe of a target ever recorded, kept apart from the raw results (which go after
   * 48 h), so a gap is measured from it however long it lasted.
   */
  lastProbe(name: string): LastProbe | undefined {
    this.flush();
    const id = this.#ids.get(name) ?? this.#sql.findTarget.get(name);
    const row = id === undefined ? undefined : this.#sql.last.get(id);
    if (!row || row.atMs === null) return undefined;
    return { atMs: row.atMs, responseTimeMs: row.responseTimeMs };
  }

  /** Stores a state change. */
  addTransition(name: string, change: StateChange): void {
    const { atMs, from, to, reason } = change;
    this.#sql.addTransition.run(this.idOf(name), atMs, stateCode(from), stateCode(to), reason);
  }

  /** The latest `limit` state changes of a target, newest first. */
  transitions(name: string, limit: number): StateChange[] {
    const id = this.#ids.get(name) ?? this.#sql.findTarget.get(name);
    if (id === undefined) return [];
    return this.#sql.transitions.all(id, limit).map((row) => ({
      atMs: row.atMs,
      from: stateOf(row.from),
      to: stateOf(row.to),
      reason: row.reason,
    }));
  }

  /**
   * The state changes of a target from `fromMs` on and the one before them (so the state at
   * `fromMs` is known), at least the latest `min` and at most `max` + 1, newest first.
   */
  transitionsFrom(name: string, fromMs: number, { min, max }: { min: number; max: number }): StateChange[] {
    const id = this.#ids.get(name) ?? this.#sql.findTarget.get(name);
    if (id === undefined) return [];
    const inRange = this.#sql.countTransitionsSince.get(id, fromMs) ?? 0;
    return this.transitions(name, Math.max(min, Math.min(max, inRange) + 1));
  }

  /** The read queries, after committing what is queued. */
  get queries(): HistoryQueries {
    this.flush();
    return this.#queries;
  }

  /** Rolls up and prunes (see `prepareRollup`); idempotent. */
  rollup(nowMs: number): RollupResult {
    this.flush();
    return this.#rollup(nowMs);
  }

  /** Commits what is queued and closes the file. */
  close(): void {
    if (!this.#db.open) return;
    this.flush();
    this.#db.close();
  }
}

const STATES = TargetState.options;
const stateCode = (state: TargetState): number => STATES.indexOf(state);
const stateOf = (code: number): TargetState => STATES[code] ?? 'unknown';
