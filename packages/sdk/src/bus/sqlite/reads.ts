import { toIso } from '../../internal/iso-time.ts';
import type { AuditQuery } from '../../schemas/audit.ts';
import type { DeadLetter, DeadLetterQuery } from '../../schemas/dead-letter.ts';
import type { Page } from '../../schemas/list.ts';
import type { QueueStats, RecipientStats } from '../../schemas/stats.ts';
import type { Subscription, SubscriptionQuery } from '../../schemas/subscription.ts';
import { toAuditEvent } from '../internal/audit-entry.ts';
import { decodeDeadCursor, decodeSeqCursor, encodeDeadCursor, encodeSeqCursor } from '../internal/cursor.ts';
import { toDeadLetter } from '../internal/message-record.ts';
import { buildQueueStats } from '../internal/queue-stats.ts';
import type { AuditTrailPage } from '../message-store.ts';
import { sqlLimit } from './prepared.ts';
import { type AuditRow, auditFromRow, fromRow } from './rows.ts';
import { AUDIT_COLUMNS, type StatementCache, type Statements } from './statements.ts';

/** Subscriptions filtered by agent and/or topic, sorted by topic then agent. */
export function readSubscriptions(queries: StatementCache, query: SubscriptionQuery): Subscription[] {
  let sql = 'SELECT agent, topic, created_at AS createdAt FROM subscriptions WHERE 1';
  if (query.agent !== undefined) sql += ' AND agent = @agent';
  if (query.topic !== undefined) sql += ' AND topic = @topic';
  const rows = queries.all<{ agent: string; topic: string; createdAt: number }>(`${sql} ORDER BY topic, agent`, {
    agent: query.agent,
    topic: query.topic,
  });
  return rows.map((row) => ({ agent: row.agent, topic: row.topic, createdAt: toIso(row.createdAt) }));
}

/** One page of dead letters in (deadAt, id) order; one row more than the page tells if another follows. */
export function readDeadLetters(sql: Statements, query: DeadLetterQuery): Page<DeadLetter> {
  const after = query.cursor === undefined ? { deadAt: -1, id: '' } : decodeDeadCursor(query.cursor);
  const rows =
    query.agent === undefined
      ? sql.deadPage(query.limit + 1).all(after)
      : sql.deadPageOf(query.limit + 1).all({ ...after, agent: query.agent });
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    items: page.map((row) => toDeadLetter(fromRow(row))),
    nextCursor: rows.length > page.length && last ? encodeDeadCursor(last.deadAt!, last.id) : null,
  };
}

/** One page of the audit trail in seq order, filtered by message, agent and/or event. */
export function readAudit(queries: StatementCache, sql: Statements, query: AuditQuery): AuditTrailPage {
  const after = query.cursor === undefined ? 0 : decodeSeqCursor(query.cursor);
  let select = `SELECT ${AUDIT_COLUMNS} FROM audit WHERE seq > @after`;
  if (query.messageId !== undefined) select += ' AND message_id = @messageId';
  if (query.agent !== undefined) select += ' AND agent = @agent';
  if (query.event !== undefined) select += ' AND event = @event';
  if (query.since !== undefined) select += ' AND at >= @since';
  const rows = queries.all<AuditRow>(`${select} ORDER BY seq LIMIT ${sqlLimit(query.limit + 1)}`, {
    after,
    messageId: query.messageId,
    agent: query.agent,
    event: query.event,
    since: query.since === undefined ? undefined : Date.parse(query.since),
  });
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    items: page.map((row) => toAuditEvent(row.seq, auditFromRow(row))),
    nextCursor: rows.length > page.length && last ? encodeSeqCursor(last.seq) : null,
    prunedThrough: prunedThrough(sql.auditPrunedThrough.get()),
  };
}

/** Above the highest priority a message can have. */
const ABOVE_ANY_PRIORITY = 101;

/**
 * Per-recipient depth at `now`, from the counters: `queue_counts` holds each recipient's rows by
 * counted state, as of the last write. Time alone changes two of them without a write, so the
 * read corrects for the rows whose time passed since they were last written or promoted, each
 * found through an index that holds only such candidates: delayed rows now available move to
 * ready; ready rows past their TTL (the sweep will dead-letter them) count as neither. The oldest
 * ready age is the first unexpired row of each priority in `messages_ready`, or a due delayed row.
 * The cost grows with the number of recipients and priorities and with the rows time changed
 * since the last sweep, not with the queue.
 */
export function readStats(sql: Statements, now: number): QueueStats {
  const byAgent = new Map<string, RecipientStats>();
  const entry = (agent: string): RecipientStats => {
    let stats = byAgent.get(agent);
    if (!stats) {
      stats = { agent, ready: 0, delayed: 0, inFlight: 0, dead: 0, oldestReadyAgeSeconds: null };
      byAgent.set(agent, stats);
    }
    return stats;
  };
  const oldest = new Map<string, number>();
  const counts = sql.queueCounts.all();
  for (const row of counts) Object.assign(entry(row.agent), row);
  for (const row of sql.expiredReady.all({ now })) {
    const stats = entry(row.agent);
    if (row.delayed) stats.delayed -= row.count;
    else stats.ready -= row.count;
  }
  for (const { agent, delayed } of counts) {
    if (delayed === 0) continue;
    const due = sql.passedDelayedOf.get({ agent, now });
    if (!due || due.count === 0) continue;
    const stats = entry(agent);
    stats.delayed -= due.count;
    stats.ready += due.count;
    if (due.oldest !== null) oldest.set(agent, due.oldest);
  }
  for (const { agent, ready } of counts) {
    if (ready === 0) continue;
    let below = ABOVE_ANY_PRIORITY;
    for (let row = sql.firstReadyBelow.get({ agent, below, now }); row; ) {
      oldest.set(agent, Math.min(oldest.get(agent) ?? row.createdAt, row.createdAt));
      below = row.priority;
      row = sql.firstReadyBelow.get({ agent, below, now });
    }
  }
  for (const [agent, createdAt] of oldest) entry(agent).oldestReadyAgeSeconds = (now - createdAt) / 1000;
  return buildQueueStats(byAgent.values());
}

/** `meta.audit_pruned_through` as `prunedThrough` (-1: null). */
function prunedThrough(value: number | undefined): string | null {
  return value === undefined || value < 0 ? null : toIso(value);
}
