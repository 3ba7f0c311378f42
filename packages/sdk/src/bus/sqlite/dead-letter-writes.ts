import type { DeadLetterSelector } from '../../schemas/dead-letter.ts';
import { auditEntry } from '../internal/audit-entry.ts';
import { isExpired } from '../internal/message-record.ts';
import type { LeaseRow } from './rows.ts';
import type { Statements } from './statements.ts';
import type { SqliteTransitions } from './transitions.ts';

/** The dead letters a redrive or purge selects: by id (each once), or an agent's in dead-letter list order; reads only. */
export function selectDead(sql: Statements, selector: DeadLetterSelector): LeaseRow[] {
  if (selector.ids === undefined) {
    return selector.agent === undefined ? [] : sql.deadOf.all(selector.agent);
  }
  const rows = new Map<string, LeaseRow>();
  for (const id of selector.ids) {
    const row = sql.leaseById.get(id);
    if (row?.state === 'dead') rows.set(id, row);
  }
  return [...rows.values()];
}

/** Sends the selected dead letters back to ready with their attempts reset; how many. */
export function redriveDeadLetters(
  sql: Statements,
  transitions: SqliteTransitions,
  rows: LeaseRow[],
  now: number,
): number {
  for (const row of rows) {
    // Back in its original place in delivery order (seq is kept); a passed TTL is dropped.
    sql.redrive.run(now, isExpired(row, now) ? null : row.expiresAt, row.seq);
    transitions.counters.move(row.to, 'dead', 'ready');
    transitions.audit(auditEntry(now, 'redriven', row));
  }
  return rows.length;
}

/** Deletes the selected dead letters; how many. */
export function purgeDeadLetters(transitions: SqliteTransitions, rows: LeaseRow[], now: number): number {
  for (const row of rows) {
    transitions.remove(row);
    transitions.audit(auditEntry(now, 'purged', row));
  }
  return rows.length;
}
