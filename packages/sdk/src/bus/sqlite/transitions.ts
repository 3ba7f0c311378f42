import type { DeadLetterReason } from '../../schemas/dead-letter.ts';
import { AGENT_FORGET_BATCH, AgentSightings, knownSince } from '../internal/agent-sightings.ts';
import { type AuditEntry, auditEntry } from '../internal/audit-entry.ts';
import { prefixEnd, prunePass, prunesPastWindow } from '../internal/audit-retention.ts';
import type { ResolvedStoreOptions } from '../internal/options.ts';
import { outcomeAfterLeaseExpiry } from '../internal/transitions.ts';
import { countedState, QueueCounters } from './queue-counters.ts';
import type { LeaseRow } from './rows.ts';
import type { Statements } from './statements.ts';

/**
 * How many delayed rows whose time has come one `sweep()` promotes to ready; a lease or poll
 * promotes the rest of its recipient's, and a stats read counts them.
 */
export const PROMOTE_BATCH = 10_000;

/**
 * The state changes several store operations share, written through the prepared statements.
 * Callers run them inside a transaction.
 */
export class SqliteTransitions {
  readonly #sql: Statements;
  readonly #options: ResolvedStoreOptions;
  /** Agents whose last-seen time was written lately, to skip writing it on every send and lease. */
  readonly #sightings: AgentSightings;
  /** The per-recipient counters every change of a message's state reports to. */
  readonly counters: QueueCounters;

  constructor(sql: Statements, options: ResolvedStoreOptions) {
    this.#sql = sql;
    this.#options = options;
    this.#sightings = new AgentSightings(options.agentRetentionSeconds);
    this.counters = new QueueCounters(sql);
  }

  /**
   * Records an agent as seen at `now` (it sent, was sent to, subscribed, leased or polled): known
   * again if it had been forgotten. Writes at most about once a minute per agent.
   */
  seeAgent(agent: string, now: number): void {
    if (!this.#sightings.isDue(agent, now)) return;
    this.#sql.seeAgent.run(agent, now);
    this.#sightings.written([agent], now);
  }

  /** The agents seen within the retention at `now`: those a broadcast reaches. */
  knownAgents(now: number): string[] {
    return this.#sql.agentsSeenSince.all(knownSince(now, this.#options.agentRetentionSeconds));
  }

  /**
   * The sweep's part: deletes up to {@link AGENT_FORGET_BATCH} agents unseen for longer than the
   * retention (none with retention 0). Their queued messages stay.
   */
  forgetUnseenAgents(now: number): void {
    this.#sightings.trim(now);
    if (this.#options.agentRetentionSeconds === 0) return;
    const since = knownSince(now, this.#options.agentRetentionSeconds);
    this.#sql.forgetAgents.run({ since, limit: AGENT_FORGET_BATCH });
  }

  /** Forgets the agent cache and the counter changes: a rolled-back transaction took its writes with it. */
  rolledBack(): void {
    this.#sightings.clear();
    this.counters.clear();
  }

  /**
   * Makes a leased message ready again at `availableAt` (counted as delayed when that is after
   * `now`), keeping `lastError`.
   */
  makeReady(row: Pick<LeaseRow, 'seq' | 'to'>, availableAt: number, now: number, lastError: string | null): void {
    const delayed = availableAt > now;
    this.#sql.makeReady.run(availableAt, delayed ? 1 : 0, lastError, row.seq);
    this.counters.move(row.to, 'inFlight', delayed ? 'delayed' : 'ready');
  }

  /** Deletes a message (acked, polled or purged). */
  remove(row: Pick<LeaseRow, 'seq' | 'to' | 'state' | 'delayed'>): void {
    this.#sql.deleteMessage.run(row.seq);
    this.counters.add(row.to, countedState(row), -1);
  }

  /** Promotes `seq`, a row of `agent` counted as delayed whose time has come, to ready. */
  #promote(agent: string, seq: number): void {
    this.#sql.promote.run(seq);
    this.counters.move(agent, 'delayed', 'ready');
  }

  /**
   * The sweep's promotion: rows counted as delayed whose time has come, for every recipient that
   * has delayed rows, at most {@link PROMOTE_BATCH} in all, each recipient's oldest first.
   */
  promoteDue(now: number): void {
    let budget = PROMOTE_BATCH;
    for (const agent of this.#sql.agentsWithDelayed.all()) {
      if (budget === 0) return;
      const due = this.#sql.duePromotionsBatchOf.all({ agent, now, limit: budget });
      for (const { seq } of due) this.#promote(agent, seq);
      budget -= due.length;
    }
  }

  /** Appends one audit event. */
  audit(entry: AuditEntry): void {
    this.#sql.appendAudit.run(
      entry.at,
      entry.event,
      entry.messageId,
      entry.agent,
      entry.details === null ? null : JSON.stringify(entry.details),
    );
  }

  /** Dead-letters a message and audits `dead_lettered`. */
  kill(
    row: Pick<LeaseRow, 'seq' | 'id' | 'to' | 'state' | 'delayed'>,
    reason: DeadLetterReason,
    now: number,
    lastError: string | null,
  ): void {
    this.#sql.kill.run(reason, now, lastError, row.seq);
    this.counters.move(row.to, countedState(row), 'dead');
    this.audit(auditEntry(now, 'dead_lettered', row, { reason }));
  }

  /**
   * One agent's housekeeping, due before each lease or poll: delayed messages whose time has come
   * become ready, expired leases go back to ready (or die), then ready messages past their TTL die
   * with reason `expired`.
   */
  housekeep(agent: string, now: number): void {
    // Delayed rows whose time has come join the ready index, at their original place in line.
    for (const seq of this.#sql.duePromotionsOf.all({ agent, now })) this.#promote(agent, seq);
    for (const row of this.#sql.expiredLeasesOf.all({ agent, now })) {
      this.audit(auditEntry(now, 'lease_expired', row));
      const outcome = outcomeAfterLeaseExpiry(row.attempts, row.expiresAt, now, this.#options.maxAttempts);
      if (outcome.state === 'ready') {
        this.makeReady(row, outcome.availableAt, now, row.lastError);
        continue;
      }
      if (outcome.reason === 'expired') this.audit(auditEntry(now, 'expired', row));
      this.kill(row, outcome.reason, now, row.lastError);
    }
    for (const row of this.#sql.expiredReadyOf.all({ agent, now })) {
      this.audit(auditEntry(now, 'expired', row));
      this.kill(row, 'expired', now, row.lastError);
    }
  }

  /**
   * The sweep's writes before audit retention: expired leases and TTLs for every agent, delayed
   * messages come due, idempotency keys past their window, agents unseen past the retention.
   */
  sweep(now: number): void {
    this.housekeepAll(now);
    this.promoteDue(now);
    this.#sql.pruneIdempotency.run(now - this.#options.idempotencyWindowSeconds * 1000);
    this.forgetUnseenAgents(now);
  }

  /** Housekeeping for every agent that has an expired lease or an expired ready message. */
  housekeepAll(now: number): void {
    const agents = new Set([
      ...this.#sql.agentsWithExpiredLeases.all(now),
      ...this.#sql.agentsWithExpiredReady.all(now),
    ]);
    for (const agent of [...agents].sort()) this.housekeep(agent, now);
  }

  /**
   * One audit retention pass: drops the oldest events, up to the first one younger than the
   * maximum age or past the newest `auditMaxEvents`, whichever is later, and at most the oldest
   * `AUDIT_PRUNE_BATCH` (a prefix: the trail never has holes); true when events past them are due
   * too (the sweep runs another pass, in its own commit, so a backlog never blocks the event loop
   * for long). `meta.audit_pruned_through` keeps when the newest removed event happened (what
   * `audit()` reports as `prunedThrough`).
   */
  pruneAudit(now: number): boolean {
    this.#sql.rememberAuditSeq.run();
    const span = this.#sql.auditSpan.get();
    if (span?.low == null || span.high == null) return false;
    const pass = prunePass({ low: span.low, high: span.high }, now, this.#options);
    const end = prefixEnd(pass, this.#sql.firstYoungAudit.get({ upper: pass.upper, minAt: pass.minAt }) ?? null);
    // Most sweeps find nothing to remove: the oldest event is young enough and within the count.
    if (end <= span.low) return false;
    const newest = this.#sql.newestPruned.get(end);
    if (newest != null) this.#sql.notePruned.run(newest);
    this.#sql.pruneAudit.run(end);
    return prunesPastWindow(pass, end, this.#sql.firstAuditAtFrom.get(pass.upper) ?? null);
  }
}
