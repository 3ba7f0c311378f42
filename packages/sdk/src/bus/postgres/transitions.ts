import type { DeadLetterReason } from '../../schemas/dead-letter.ts';
import { AGENT_FORGET_BATCH, AgentSightings, knownSince } from '../internal/agent-sightings.ts';
import { auditEntry } from '../internal/audit-entry.ts';
import type { ResolvedStoreOptions } from '../internal/options.ts';
import { outcomeAfterLeaseExpiry } from '../internal/transitions.ts';
import { countedState } from './queue-counters.ts';
import { LEASE_COLUMNS, type LeaseRow } from './rows.ts';
import { seeAgentsSql } from './statement.ts';
import type { PgTransaction } from './transaction.ts';

/** How many due delayed rows of each recipient one `sweep()` promotes; a lease promotes all of its recipient's. */
export const PG_PROMOTE_BATCH = 10_000;

/**
 * How many expired leases, and how many ready rows past their TTL, one housekeeping transaction
 * handles at most: a backlog (an agent offline while thousands of leases or TTLs ran out) is worked
 * off in several short transactions, not one that holds its locks and the audit horizon for long.
 */
export const PG_HOUSEKEEP_BATCH = 1_000;

/**
 * The rows of one agent that its housekeeping handles, as `WHERE` conditions on `messages` for an
 * agent and a time given as SQL expressions: leases that ran out, ready rows past their TTL, and
 * delayed rows that came due (unexpired). {@link PgTransitions.housekeep} works them off; the
 * one-statement lease checks for them to know when it must leave an agent to the housekeeping path.
 */
export const HOUSEKEEPING_DUE = {
  expiredLeases: (agent: string, now: string) =>
    `state = 'in_flight' AND lease_expires_at <= ${now} AND recipient = ${agent}`,
  expiredTtls: (agent: string, now: string) =>
    `state = 'ready' AND expires_at IS NOT NULL AND expires_at <= ${now} AND recipient = ${agent}`,
  dueDelayed: (agent: string, now: string) =>
    `recipient = ${agent} AND state = 'ready' AND delayed AND available_at <= ${now} AND (expires_at IS NULL OR expires_at > ${now})`,
} as const;

/**
 * The state changes several store operations share. Callers run them inside a transaction.
 * Rows are locked with `FOR UPDATE SKIP LOCKED` where another replica may be doing the same work
 * (housekeeping), so each expired lease is handled once.
 */
export class PgTransitions {
  readonly #options: ResolvedStoreOptions;
  /** Agents whose last-seen time this replica wrote lately (noted after a commit), to skip writing it again. */
  readonly #sightings: AgentSightings;

  constructor(options: ResolvedStoreOptions) {
    this.#options = options;
    this.#sightings = new AgentSightings(options.agentRetentionSeconds);
  }

  /**
   * Records agents as seen at `now` (they sent, were sent to, subscribed, leased or polled):
   * known again if they had been forgotten. Writes each at most about once a minute per replica.
   */
  async seeAgents(tx: PgTransaction, agents: Iterable<string>, now: number): Promise<void> {
    const due = this.dueAgents(agents, now);
    if (due.length === 0) return;
    await tx.run(seeAgentsSql('$1::text[]', '$2::bigint'), [due.sort(), now]);
    tx.afterCommit(() => this.markSeen(due, now));
  }

  /** The agents among `agents` (each once) whose last-seen time is due to be written at `now`. */
  dueAgents(agents: Iterable<string>, now: number): string[] {
    return this.#sightings.due(agents, now);
  }

  /** Notes agents as written seen at `now` (call after the commit that wrote them). */
  markSeen(agents: Iterable<string>, now: number): void {
    this.#sightings.written(agents, now);
  }

  /** The agents seen within the retention at `now`: those a broadcast reaches. */
  async knownAgents(tx: PgTransaction, now: number): Promise<string[]> {
    const since = knownSince(now, this.#options.agentRetentionSeconds);
    const rows = await tx.rows<{ name: string }>('SELECT name FROM agents WHERE last_seen >= $1', [since]);
    return rows.map((row) => row.name);
  }

  /**
   * The sweep's part: deletes up to {@link AGENT_FORGET_BATCH} agents unseen for longer than the
   * retention (none with retention 0), passing over those a send or receive is writing right now
   * (it is seeing them). Their queued messages stay.
   */
  async forgetUnseenAgents(tx: PgTransaction, now: number): Promise<void> {
    this.#sightings.trim(now);
    if (this.#options.agentRetentionSeconds === 0) return;
    await tx.run(
      `DELETE FROM agents WHERE name IN (
        SELECT name FROM agents WHERE last_seen < $1 ORDER BY last_seen LIMIT $2 FOR UPDATE SKIP LOCKED)`,
      [knownSince(now, this.#options.agentRetentionSeconds), AGENT_FORGET_BATCH],
    );
  }

  /** Dead-letters a message (ready, delayed or in flight) and audits `dead_lettered`. */
  async kill(
    tx: PgTransaction,
    row: Pick<LeaseRow, 'seq' | 'id' | 'to' | 'state' | 'delayed'>,
    reason: DeadLetterReason,
    now: number,
    lastError: string | null,
  ): Promise<void> {
    tx.counts.move(row.to, countedState(row), 'dead');
    await tx.run(
      `UPDATE messages SET state = 'dead', dead_reason = $1, dead_at = $2, last_error = $3, lease_token = NULL,
        lease_expires_at = NULL WHERE seq = $4`,
      [reason, now, lastError, row.seq],
    );
    tx.audit(auditEntry(now, 'dead_lettered', row, { reason }));
  }

  /**
   * An in-flight message back to ready at `availableAt` (counted as delayed when that is after
   * `now`), the lease dropped; keeps its place in delivery order (seq).
   */
  async makeReady(
    tx: PgTransaction,
    row: Pick<LeaseRow, 'seq' | 'to'>,
    availableAt: number,
    lastError: string | null,
    now: number,
  ): Promise<void> {
    const delayed = availableAt > now;
    tx.counts.move(row.to, 'inFlight', delayed ? 'delayed' : 'ready');
    await tx.run(
      `UPDATE messages SET state = 'ready', available_at = $1, last_error = $2, lease_token = NULL,
        lease_expires_at = NULL, delayed = $4 WHERE seq = $3`,
      [availableAt, lastError, row.seq, delayed],
    );
  }

  /**
   * The sweep's promotion: up to {@link PG_PROMOTE_BATCH} of each recipient's rows counted as
   * delayed whose time has come go to ready (they keep their seq, so their place in line); a lease
   * or poll promotes all of its recipient's first ({@link housekeep}). Rows another transaction
   * holds are passed over, never waited for.
   */
  async promoteDue(tx: PgTransaction, now: number): Promise<void> {
    // Per recipient with rows counted as delayed, through messages_delayed up to `now` only: the
    // cost follows the rows that came due, not the delayed ones.
    const rows = await tx.rows<{ to: string; count: number }>(
      `WITH due AS (
          SELECT d.seq FROM (SELECT recipient FROM queue_count_deltas GROUP BY recipient HAVING sum(delayed) > 0) r
          CROSS JOIN LATERAL (
            SELECT seq FROM messages WHERE recipient = r.recipient AND state = 'ready' AND delayed
              AND available_at <= $1 ORDER BY available_at LIMIT $2 FOR UPDATE SKIP LOCKED) d),
        promoted AS (UPDATE messages m SET delayed = false FROM due WHERE m.seq = due.seq RETURNING m.recipient)
      SELECT recipient AS "to", count(*)::int AS count FROM promoted GROUP BY recipient`,
      [now, PG_PROMOTE_BATCH],
    );
    for (const { to, count } of rows) {
      tx.counts.add(to, 'delayed', -count);
      tx.counts.add(to, 'ready', count);
    }
  }

  /**
   * One agent's housekeeping, due before each lease or poll: expired leases go back to ready (or
   * die), ready messages past their TTL die with reason `expired`, at most `limit` of each (the
   * rest on the next pass), and the rows counted as delayed whose time has come are promoted to
   * ready (as {@link promoteDue} does), so a claim that follows finds them in `messages_ready`, in
   * their place in line. Resolves with how many expired leases and TTLs it handled.
   */
  async housekeep(tx: PgTransaction, agent: string, now: number, limit = PG_HOUSEKEEP_BATCH): Promise<number> {
    // All three in one statement (one round trip when, as usual, there is nothing to do). The
    // promotion takes only unexpired rows, so it never touches a row the TTL part returns; it
    // counts its rows itself (a delta row of its own, in this transaction).
    const rows = await tx.rows<LeaseRow & { kind: 1 | 2 }>(
      `WITH leases AS (SELECT ${LEASE_COLUMNS}, lease_expires_at AS o FROM messages
          WHERE ${HOUSEKEEPING_DUE.expiredLeases('$1', '$2')} ORDER BY lease_expires_at LIMIT $3 FOR UPDATE SKIP LOCKED),
        ttl AS (SELECT ${LEASE_COLUMNS}, -priority AS o FROM messages
          WHERE ${HOUSEKEEPING_DUE.expiredTtls('$1', '$2')} LIMIT $3 FOR UPDATE SKIP LOCKED),
        due AS (SELECT seq FROM messages WHERE ${HOUSEKEEPING_DUE.dueDelayed('$1', '$2')} FOR UPDATE SKIP LOCKED),
        promoted AS (UPDATE messages m SET delayed = false FROM due WHERE m.seq = due.seq RETURNING m.seq),
        counted AS (INSERT INTO queue_count_deltas (recipient, ready, delayed)
          SELECT $1, count(*), -count(*) FROM promoted HAVING count(*) > 0)
      SELECT 1 AS kind, * FROM leases UNION ALL SELECT 2, * FROM ttl ORDER BY kind, o, seq`,
      [agent, now, limit],
    );
    const dead: DeadRow[] = [];
    const ready: ReadyRow[] = [];
    for (const { kind, ...row } of rows) {
      if (kind === 2) {
        // Ready past its TTL (a lease that ran out is never one: it was still in flight above).
        tx.audit(auditEntry(now, 'expired', row));
        dead.push(this.#deadLettered(tx, row, 'expired', now));
        continue;
      }
      tx.audit(auditEntry(now, 'lease_expired', row));
      const outcome = outcomeAfterLeaseExpiry(row.attempts, row.expiresAt, now, this.#options.maxAttempts);
      if (outcome.state === 'ready') {
        const delayed = outcome.availableAt > now;
        tx.counts.move(row.to, 'inFlight', delayed ? 'delayed' : 'ready');
        ready.push({ seq: row.seq, availableAt: outcome.availableAt, delayed });
        continue;
      }
      if (outcome.reason === 'expired') tx.audit(auditEntry(now, 'expired', row));
      dead.push(this.#deadLettered(tx, row, outcome.reason, now));
    }
    // Each kind of change in one statement, however many rows (each keeps its last error).
    if (dead.length > 0) {
      await tx.run(
        `UPDATE messages m SET state = 'dead', dead_reason = d.reason, dead_at = $3, lease_token = NULL,
          lease_expires_at = NULL FROM unnest($1::bigint[], $2::text[]) AS d(seq, reason) WHERE m.seq = d.seq`,
        [dead.map((d) => d.seq), dead.map((d) => d.reason), now],
      );
    }
    if (ready.length > 0) {
      await tx.run(
        `UPDATE messages m SET state = 'ready', available_at = r.available_at, lease_token = NULL,
          lease_expires_at = NULL, delayed = r.delayed
        FROM unnest($1::bigint[], $2::bigint[], $3::boolean[]) AS r(seq, available_at, delayed) WHERE m.seq = r.seq`,
        [ready.map((r) => r.seq), ready.map((r) => r.availableAt), ready.map((r) => r.delayed)],
      );
    }
    return rows.length;
  }

  /** Counts and audits a row's dead-lettering (its UPDATE left to the caller). */
  #deadLettered(
    tx: PgTransaction,
    row: Pick<LeaseRow, 'seq' | 'id' | 'to' | 'state' | 'delayed'>,
    reason: DeadLetterReason,
    now: number,
  ): DeadRow {
    tx.counts.move(row.to, countedState(row), 'dead');
    tx.audit(auditEntry(now, 'dead_lettered', row, { reason }));
    return { seq: row.seq, reason };
  }

  /**
   * Housekeeping for the agents that have an expired lease or an expired ready message, at most
   * {@link PG_HOUSEKEEP_BATCH} of each in all. Resolves true when it used that budget up (more may
   * be due: run it again, in a new transaction).
   */
  async housekeepAll(tx: PgTransaction, now: number): Promise<boolean> {
    const rows = await tx.rows<{ agent: string }>(
      `SELECT DISTINCT recipient AS agent FROM messages WHERE state = 'in_flight' AND lease_expires_at <= $1
       UNION
       SELECT DISTINCT recipient FROM messages WHERE state = 'ready' AND expires_at IS NOT NULL AND expires_at <= $1
       ORDER BY 1`,
      [now],
    );
    let budget = PG_HOUSEKEEP_BATCH;
    for (const { agent } of rows) {
      budget -= await this.housekeep(tx, agent, now, budget);
      if (budget <= 0) return true;
    }
    return false;
  }

  /** Forgets the idempotency keys older than the window. */
  async pruneIdempotency(tx: PgTransaction, now: number): Promise<void> {
    await tx.run('DELETE FROM idempotency_keys WHERE created_at <= $1', [
      now - this.#options.idempotencyWindowSeconds * 1000,
    ]);
  }
}

/** A row to dead-letter, and why. */
interface DeadRow {
  seq: number;
  reason: DeadLetterReason;
}

/** An in-flight row going back to ready at `availableAt` (counted as delayed when after now). */
interface ReadyRow {
  seq: number;
  availableAt: number;
  delayed: boolean;
}
