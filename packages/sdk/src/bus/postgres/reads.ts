import type pg from 'pg';
import { toIso } from '../../internal/iso-time.ts';
import type { AuditQuery } from '../../schemas/audit.ts';
import type { DeadLetter, DeadLetterQuery } from '../../schemas/dead-letter.ts';
import type { Page } from '../../schemas/list.ts';
import type { Subscription, SubscriptionQuery } from '../../schemas/subscription.ts';
import { toAuditEvent } from '../internal/audit-entry.ts';
import { decodeDeadCursor, encodeDeadCursor } from '../internal/cursor.ts';
import { toDeadLetter } from '../internal/message-record.ts';
import type { AuditTrailPage } from '../message-store.ts';
import { AUDIT_START, decodeAuditCursor, encodeAuditCursor } from './audit-cursor.ts';
import { AUDIT_HORIZON, AUDIT_HORIZON_WAIT_MS, awaitAuditHorizon } from './audit-horizon.ts';
import { hasNul } from './nul-text.ts';
import { AUDIT_COLUMNS, type AuditRow, auditFromRow, MESSAGE_COLUMNS, type MessageRow } from './rows.ts';

/** Something that runs one statement: the pool (autocommit) or a transaction's connection. */
export type Queryable = Pick<pg.Pool, 'query'>;

/** A WHERE clause built from optional filters, with numbered parameters. */
class Filters {
  readonly values: unknown[] = [];
  readonly #clauses: string[] = [];

  /** Adds `column <op> $n` when `value` is defined. */
  add(column: string, value: unknown, op = '='): this {
    if (value === undefined) return this;
    this.values.push(value);
    this.#clauses.push(`${column} ${op} $${this.values.length}`);
    return this;
  }

  /** The next parameter's placeholder, for a value added by hand. */
  param(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }

  get where(): string {
    return this.#clauses.length === 0 ? 'TRUE' : this.#clauses.join(' AND ');
  }
}

/** Subscriptions filtered by agent and/or topic, sorted by topic then agent. */
export async function readSubscriptions(db: Queryable, query: SubscriptionQuery): Promise<Subscription[]> {
  const filters = new Filters().add('agent', query.agent).add('topic', query.topic);
  const { rows } = await db.query<{ agent: string; topic: string; createdAt: number }>(
    `SELECT agent, topic, created_at AS "createdAt" FROM subscriptions WHERE ${filters.where} ORDER BY topic, agent`,
    filters.values,
  );
  return rows.map((row) => ({ agent: row.agent, topic: row.topic, createdAt: toIso(row.createdAt) }));
}

/** One page of dead letters in (deadAt, id) order; one row more than the page tells if another follows. */
export async function readDeadLetters(db: Queryable, query: DeadLetterQuery): Promise<Page<DeadLetter>> {
  const after = query.cursor === undefined ? { deadAt: -1, id: '' } : decodeDeadCursor(query.cursor);
  const filters = new Filters().add('recipient', query.agent);
  // A (forged) cursor id with a NUL: no stored id has one, so "after it" is "after the part before it".
  const afterId = after.id.split('\u0000', 1)[0]!;
  const position = `(dead_at, id) > (${filters.param(after.deadAt)}, ${filters.param(afterId)})`;
  const limit = filters.param(query.limit + 1);
  const { rows } = await db.query<MessageRow>(
    `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE state = 'dead' AND ${filters.where} AND ${position}
      ORDER BY dead_at, id LIMIT ${limit}`,
    filters.values,
  );
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    items: page.map(toDeadLetter),
    nextCursor: rows.length > page.length && last ? encodeDeadCursor(last.deadAt!, last.id) : null,
  };
}

/** One dead letter by message id, or undefined. */
export async function readDeadLetter(db: Queryable, id: string): Promise<DeadLetter | undefined> {
  if (hasNul(id)) return undefined;
  const { rows } = await db.query<MessageRow>(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE id = $1`, [id]);
  const row = rows[0];
  return row?.state === 'dead' ? toDeadLetter(row) : undefined;
}

/** An audit row with its writer's transaction id (an `xid8`, as text: it may pass 2^53). */
type PositionedAuditRow = AuditRow & { txid: string };

/** A row of {@link readAudit}'s statement: an event of the page, or (`seq` null) the newest one above the horizon. */
type AuditPageRow = PositionedAuditRow | { seq: null; txid: string };

/**
 * One page of the audit trail in (`txid`, `seq`) order, filtered by message, agent, event and/or
 * time: only events below the horizon (`audit-horizon.ts`), so an event that commits later always
 * sorts after every cursor already handed out. When the page ends short of the limit while
 * committed events wait above the horizon, it waits up to `horizonWaitMs` for the horizon to pass
 * them and reads again.
 */
export async function readAudit(
  db: Queryable,
  query: AuditQuery,
  horizonWaitMs = AUDIT_HORIZON_WAIT_MS,
): Promise<AuditTrailPage> {
  const after = query.cursor === undefined ? AUDIT_START : decodeAuditCursor(query.cursor);
  if (query.messageId !== undefined && hasNul(query.messageId)) {
    return { items: [], nextCursor: null, prunedThrough: await readPrunedThrough(db) };
  }
  const filters = new Filters()
    .add('message_id', query.messageId)
    .add('agent', query.agent)
    .add('event', query.event)
    .add('at', query.since === undefined ? undefined : Date.parse(query.since), '>=');
  const where = `${filters.where} AND (txid, seq) > (${filters.param(after.txid)}::xid8, ${filters.param(after.seq)})`;
  const limit = filters.param(query.limit + 1);
  // One statement, one snapshot: the page below its horizon, then the newest matching event
  // committed at or above it (what a short page may wait for). `pg` hands an xid8 over as text.
  const select = async () => {
    const { rows } = await db.query<AuditPageRow>(
      `(SELECT ${AUDIT_COLUMNS}, txid FROM audit WHERE ${where} AND txid < ${AUDIT_HORIZON}
         ORDER BY txid, seq LIMIT ${limit})
       UNION ALL
       (SELECT NULL, NULL, NULL, NULL, NULL, NULL, txid FROM audit WHERE ${where} AND txid >= ${AUDIT_HORIZON}
         ORDER BY txid DESC LIMIT 1)`,
      filters.values,
    );
    const pending = rows.at(-1)?.seq === null ? rows.pop()?.txid : undefined;
    return { rows: rows as PositionedAuditRow[], pending };
  };
  let { rows, pending } = await select();
  if (rows.length <= query.limit && pending && (await awaitAuditHorizon(db, pending, horizonWaitMs))) {
    ({ rows } = await select());
  }
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    items: page.map((row) => toAuditEvent(row.seq, auditFromRow(row))),
    nextCursor: rows.length > page.length && last ? encodeAuditCursor(last) : null,
    // Read after the page: retention running in between makes it claim less, never more.
    prunedThrough: await readPrunedThrough(db),
  };
}

/** When the newest event audit retention removed happened; null when it never removed one. */
async function readPrunedThrough(db: Queryable): Promise<string | null> {
  const { rows } = await db.query<{ pruned_through: number | null }>('SELECT pruned_through FROM audit_retention');
  const at = rows[0]?.pruned_through ?? null;
  return at === null ? null : toIso(at);
}
