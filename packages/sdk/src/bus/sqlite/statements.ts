import type Database from 'better-sqlite3';
import type { DeadLetterReason } from '../../schemas/dead-letter.ts';
import { mapped, perLimit, type Statement, withLimit } from './prepared.ts';
import { QUEUE_COUNTS_COLUMNS, type QueueCountsRow } from './recount.ts';
import {
  type IdempotencyRow,
  LEASE_COLUMNS,
  leaseRowOf,
  MESSAGE_COLUMNS,
  type MessageRow,
  messageRowOf,
} from './rows.ts';

/** How many of a recipient's rows counted as delayed are deliverable now, and the oldest `created_at` of them. */
export interface PassedDelayedRow {
  count: number;
  oldest: number | null;
}

/** Per recipient and `delayed` flag, how many ready rows have run out their TTL but not been swept yet. */
export interface ExpiredReadyRow {
  agent: string;
  delayed: number;
  count: number;
}

const M = `SELECT ${MESSAGE_COLUMNS} FROM messages`;
const DELIVERABLE = `state = 'ready' AND delayed = 0 AND available_at <= @now AND (expires_at IS NULL OR expires_at > @now)`;
const DUE_DELAYED = `recipient = @agent AND state = 'ready' AND delayed = 1 AND available_at <= @now`;

/**
 * Every fixed statement the store runs, prepared once per connection. The `state = '...'`
 * literals are deliberate: SQLite uses a partial index only when the query repeats its WHERE.
 * `INDEXED BY` pins each query to the index it was designed for (without ANALYZE statistics the
 * planner may pick another), and fails at prepare time if that index cannot serve it.
 */
export function prepareStatements(db: Database.Database) {
  const prepare = <P extends unknown[] = unknown[], R = unknown>(sql: string): Statement<P, R> =>
    db.prepare<P, R>(sql) as unknown as Statement<P, R>;
  const byLimit = <P extends unknown[], R>(sql: string) => perLimit((limit) => prepare<P, R>(withLimit(sql, limit)));
  return {
    insertMessage: prepare<
      [
        string,
        string,
        string,
        string | null,
        string,
        string,
        number,
        number,
        number,
        number | null,
        number,
        string | null,
        number,
      ]
    >(
      `INSERT INTO messages (id, sender, recipient, topic, type, payload, priority, created_at, available_at, expires_at,
        attempts, idempotency_key, delayed, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'ready')`,
    ),
    messageById: prepare<[string], MessageRow>(`${M} WHERE id = ?`),
    leaseById: mapped(prepare<[string]>(`SELECT ${LEASE_COLUMNS} FROM messages WHERE id = ?`), leaseRowOf),
    deliverable: perLimit((limit) =>
      mapped(
        prepare<[{ agent: string; now: number }]>(
          withLimit(
            `${M} INDEXED BY messages_ready WHERE recipient = @agent AND ${DELIVERABLE}
        ORDER BY priority DESC, seq LIMIT @limit`,
            limit,
          ),
        ),
        messageRowOf,
      ),
    ),
    expiredLeasesOf: prepare<[{ agent: string; now: number }], MessageRow>(
      `${M} INDEXED BY messages_leases WHERE state = 'in_flight' AND lease_expires_at <= @now AND recipient = @agent
        ORDER BY lease_expires_at`,
    ),
    agentsWithExpiredLeases: prepare<[number], string>(
      `SELECT DISTINCT recipient FROM messages INDEXED BY messages_leases
          WHERE state = 'in_flight' AND lease_expires_at <= ?`,
    ).pluck(),
    expiredReadyOf: prepare<[{ agent: string; now: number }], MessageRow>(
      `${M} INDEXED BY messages_ttl WHERE state = 'ready' AND expires_at IS NOT NULL AND expires_at <= @now
        AND recipient = @agent ORDER BY priority DESC, seq`,
    ),
    agentsWithExpiredReady: prepare<[number], string>(
      `SELECT DISTINCT recipient FROM messages INDEXED BY messages_ttl
          WHERE state = 'ready' AND expires_at IS NOT NULL AND expires_at <= ?`,
    ).pluck(),
    markLeased: prepare<[number, string, number, number]>(
      `UPDATE messages SET state = 'in_flight', delayed = 0, attempts = ?, lease_token = ?, lease_expires_at = ?
        WHERE seq = ?`,
    ),
    extendLease: prepare<[number, number]>(`UPDATE messages SET lease_expires_at = ? WHERE seq = ?`),
    makeReady: prepare<[number, number, string | null, number]>(
      `UPDATE messages SET state = 'ready', available_at = ?, delayed = ?, last_error = ?, lease_token = NULL,
        lease_expires_at = NULL WHERE seq = ?`,
    ),
    kill: prepare<[DeadLetterReason, number, string | null, number]>(
      `UPDATE messages SET state = 'dead', delayed = 0, dead_reason = ?, dead_at = ?, last_error = ?, lease_token = NULL,
        lease_expires_at = NULL WHERE seq = ?`,
    ),
    redrive: prepare<[number, number | null, number]>(
      `UPDATE messages SET state = 'ready', delayed = 0, attempts = 0, available_at = ?, expires_at = ?, dead_reason = NULL,
        dead_at = NULL, last_error = NULL WHERE seq = ?`,
    ),
    deleteMessage: prepare<[number]>(`DELETE FROM messages WHERE seq = ?`),
    deadOf: prepare<[string], MessageRow>(`${M} WHERE state = 'dead' AND recipient = ? ORDER BY dead_at, id`),
    deadPage: byLimit<[{ deadAt: number; id: string }], MessageRow>(
      `${M} WHERE state = 'dead' AND (dead_at, id) > (@deadAt, @id) ORDER BY dead_at, id LIMIT @limit`,
    ),
    deadPageOf: byLimit<[{ agent: string; deadAt: number; id: string }], MessageRow>(
      `${M} WHERE state = 'dead' AND recipient = @agent AND (dead_at, id) > (@deadAt, @id)
        ORDER BY dead_at, id LIMIT @limit`,
    ),
    // An agent's rows counted as delayed whose time has come: promoted to ready before its lease or poll.
    duePromotionsOf: prepare<[{ agent: string; now: number }], number>(
      `SELECT seq FROM messages INDEXED BY messages_delayed WHERE ${DUE_DELAYED}`,
    ).pluck(),
    // LIMIT bound, not written into the SQL: the sweep's budget takes any value up to 10,000, and
    // one statement per value would pile up in the cache (a re-prepare per rebinding costs little here).
    duePromotionsBatchOf: prepare<[{ agent: string; now: number; limit: number }], { seq: number }>(
      `SELECT seq FROM messages INDEXED BY messages_delayed WHERE ${DUE_DELAYED} ORDER BY available_at LIMIT @limit`,
    ),
    promote: prepare<[number]>(`UPDATE messages SET delayed = 0 WHERE seq = ?`),
    agentsWithDelayed: prepare<[], string>(`SELECT recipient FROM queue_counts WHERE delayed > 0`).pluck(),
    // No RETURNING: SQLite buffers returned rows in an ephemeral table, a b-tree with a pager and
    // page cache of its own, created and dropped on every run (about 6% of the store's time in a
    // send, lease, ack cycle, which runs this once per operation).
    addCounts: prepare<[string, number, number, number, number]>(
      `INSERT INTO queue_counts (recipient, ready, delayed, in_flight, dead) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (recipient) DO UPDATE SET ready = ready + excluded.ready, delayed = delayed + excluded.delayed,
          in_flight = in_flight + excluded.in_flight, dead = dead + excluded.dead`,
    ),
    dropCountsIfEmpty: prepare<[string]>(
      `DELETE FROM queue_counts WHERE recipient = ? AND ready = 0 AND delayed = 0 AND in_flight = 0 AND dead = 0`,
    ),
    queueCounts: prepare<[], QueueCountsRow>(`SELECT ${QUEUE_COUNTS_COLUMNS} FROM queue_counts`),
    // A recipient has a row exactly while it has a message in any state (see queue-counters.ts).
    hasQueued: prepare<[string], number>(`SELECT 1 FROM queue_counts WHERE recipient = ?`).pluck(),
    // The corrections a stats read applies to the counters at its `now`; each reads only the rows
    // whose time passed since the last sweep.
    passedDelayedOf: prepare<[{ agent: string; now: number }], PassedDelayedRow>(
      `SELECT count(*) AS count, min(created_at) AS oldest FROM messages INDEXED BY messages_delayed
        WHERE ${DUE_DELAYED} AND (expires_at IS NULL OR expires_at > @now)`,
    ),
    expiredReady: prepare<[{ now: number }], ExpiredReadyRow>(
      `SELECT recipient AS agent, delayed, count(*) AS count FROM messages INDEXED BY messages_ttl
        WHERE state = 'ready' AND expires_at IS NOT NULL AND expires_at <= @now GROUP BY recipient, delayed`,
    ),
    // The first unexpired row counted as ready at the highest priority below @below: its created_at is
    // the oldest of that priority (seq follows the clock), and its priority the next @below.
    firstReadyBelow: prepare<[{ agent: string; below: number; now: number }], { priority: number; createdAt: number }>(
      `SELECT priority, created_at AS createdAt FROM messages INDEXED BY messages_ready
        WHERE recipient = @agent AND state = 'ready' AND delayed = 0 AND priority < @below
          AND (expires_at IS NULL OR expires_at > @now)
        ORDER BY priority DESC, seq LIMIT 1`,
    ),

    // The time only moves forward (another process on the file may have written a later one).
    seeAgent: prepare<[string, number]>(
      `INSERT INTO agents (name, last_seen) VALUES (?, ?)
        ON CONFLICT (name) DO UPDATE SET last_seen = excluded.last_seen WHERE excluded.last_seen > last_seen`,
    ),
    agentsSeenSince: prepare<[number], string>(`SELECT name FROM agents WHERE last_seen >= ?`).pluck(),
    forgetAgents: prepare<[{ since: number; limit: number }]>(
      `DELETE FROM agents WHERE name IN (
        SELECT name FROM agents INDEXED BY agents_last_seen WHERE last_seen < @since ORDER BY last_seen LIMIT @limit)`,
    ),

    subscribe: prepare<[string, string, number]>(
      `INSERT OR IGNORE INTO subscriptions (topic, agent, created_at) VALUES (?, ?, ?)`,
    ),
    subscription: prepare<[string, string], number>(
      `SELECT created_at FROM subscriptions WHERE topic = ? AND agent = ?`,
    ).pluck(),
    unsubscribe: prepare<[string, string]>(`DELETE FROM subscriptions WHERE topic = ? AND agent = ?`),
    subscribers: prepare<[string], string>(`SELECT agent FROM subscriptions WHERE topic = ?`).pluck(),

    idempotency: prepare<[string, string], IdempotencyRow>(
      `SELECT created_at AS at, response FROM idempotency_keys WHERE sender = ? AND key = ?`,
    ),
    saveIdempotency: prepare<[string, string, number, string]>(
      `INSERT OR REPLACE INTO idempotency_keys (sender, key, created_at, response) VALUES (?, ?, ?, ?)`,
    ),
    pruneIdempotency: prepare<[number]>(`DELETE FROM idempotency_keys WHERE created_at <= ?`),

    // seq: one past the newest event, or past the last seq retention removed.
    appendAudit: prepare<[number, string, string, string, string | null]>(
      `INSERT INTO audit (seq, at, event, message_id, agent, details) VALUES (
        max(coalesce((SELECT max(seq) FROM audit), 0), (SELECT value FROM meta WHERE key = 'audit_seq')) + 1,
        ?, ?, ?, ?, ?)`,
    ),
    rememberAuditSeq: prepare(
      `UPDATE meta SET value = max(value, coalesce((SELECT max(seq) FROM audit), 0)) WHERE key = 'audit_seq'`,
    ),
    // Retention removes a prefix of the trail, seq < ?, ending within one pass's window (see
    // audit-retention.ts): where the first event young enough to keep is, then what goes.
    firstYoungAudit: prepare<[{ upper: number; minAt: number }], number | null>(
      `SELECT seq FROM audit WHERE seq < @upper AND at >= @minAt ORDER BY seq LIMIT 1`,
    ).pluck(),
    newestPruned: prepare<[number], number | null>(`SELECT max(at) FROM audit WHERE seq < ?`).pluck(),
    notePruned: prepare<[number]>(`UPDATE meta SET value = max(value, ?) WHERE key = 'audit_pruned_through'`),
    pruneAudit: prepare<[number]>(`DELETE FROM audit WHERE seq < ?`),
    auditSpan: prepare<[], { low: number | null; high: number | null }>(
      `SELECT min(seq) AS low, max(seq) AS high FROM audit`,
    ),
    firstAuditAtFrom: prepare<[number], number | null>(
      `SELECT at FROM audit WHERE seq >= ? ORDER BY seq LIMIT 1`,
    ).pluck(),
    auditPrunedThrough: prepare<[], number>(`SELECT value FROM meta WHERE key = 'audit_pruned_through'`).pluck(),
  };
}

/** The prepared statements of one connection. */
export type Statements = ReturnType<typeof prepareStatements>;

/** The audit columns under the names of {@link AuditRow}. */
export const AUDIT_COLUMNS = 'seq, at, event, message_id AS messageId, agent, details';

/**
 * Statements whose SQL depends on which filters a query uses (audit, subscriptions): prepared the
 * first time each shape is needed, then reused.
 */
export class StatementCache {
  readonly #db: Database.Database;
  readonly #cache = new Map<string, Database.Statement<unknown[], unknown>>();

  constructor(db: Database.Database) {
    this.#db = db;
  }

  /** All rows of `sql` with `params`. */
  all<Row>(sql: string, params: Record<string, unknown>): Row[] {
    let statement = this.#cache.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#cache.set(sql, statement);
    }
    return statement.all(params) as Row[];
  }
}
