import type { AuditEntry } from '../internal/audit-entry.ts';
import { type CountDeltas, DELTA_COLUMNS } from './queue-counters.ts';

/**
 * One SQL statement built from parts, each a common table expression (`WITH a AS (...), b AS
 * (...) SELECT ...`): several writes (data-modifying CTEs, which run to completion whether read or
 * not) commit together in one round trip, as one implicit transaction, and the final SELECT reads
 * what the parts returned. Values are numbered as they are added.
 */
export class StatementBuilder {
  readonly values: unknown[] = [];
  readonly #parts: string[] = [];

  /** Adds a value; returns its placeholder with a cast (`$3::text[]`). */
  param(value: unknown, cast: string): string {
    this.values.push(value);
    return `$${this.values.length}::${cast}`;
  }

  /** Adds a part under `name` (unnamed parts get one), for later parts and the final SELECT to read. */
  add(sql: string, name = `w${this.#parts.length}`): this {
    this.#parts.push(`${name} AS (${sql})`);
    return this;
  }

  /** Whether any part was added. */
  get empty(): boolean {
    return this.#parts.length === 0;
  }

  /** The statement: every part, then `select` (by default one that reads nothing). */
  text(select = 'SELECT 1'): string {
    return this.#parts.length === 0 ? select : `WITH ${this.#parts.join(',\n')}\n${select}`;
  }
}

/** Adds the insert of audit events (their seq follows the order of `entries`), if there are any. */
export function addAuditInsert(statement: StatementBuilder, entries: readonly AuditEntry[]): void {
  if (entries.length === 0) return;
  const p = (values: unknown[], cast: string) => statement.param(values, cast);
  statement.add(`INSERT INTO audit (at, event, message_id, agent, details)
    SELECT at, event, message_id, agent, details
    FROM unnest(${p(
      entries.map((e) => e.at),
      'bigint[]',
    )}, ${p(
      entries.map((e) => e.event),
      'text[]',
    )}, ${p(
      entries.map((e) => e.messageId),
      'text[]',
    )}, ${p(
      entries.map((e) => e.agent),
      'text[]',
    )}, ${p(
      entries.map((e) => (e.details === null ? null : JSON.stringify(e.details))),
      'json[]',
    )}) WITH ORDINALITY AS e(at, event, message_id, agent, details, n)
    ORDER BY n`);
}

/** Adds the insert of a transaction's queue counter changes (then cleared), if there are any. */
export function addCountDeltasInsert(statement: StatementBuilder, counts: CountDeltas): void {
  const columns = counts.columns();
  if (!columns) return;
  const [recipients, ready, delayed, inFlight, dead] = columns;
  const p = (values: unknown[], cast: string) => statement.param(values, cast);
  statement.add(`INSERT INTO queue_count_deltas (${DELTA_COLUMNS})
    SELECT * FROM unnest(${p(recipients, 'text[]')}, ${p(ready, 'int[]')}, ${p(delayed, 'int[]')},
      ${p(inFlight, 'int[]')}, ${p(dead, 'int[]')})`);
}

/**
 * The upsert of agents seen at a time: a new name is inserted, a known one gets the later
 * last-seen time (never an earlier one: another replica may have written a later one). Sorted:
 * concurrent upserts lock their rows in one order. `$names` and `$now` are SQL expressions.
 */
export function seeAgentsSql(names: string, now: string): string {
  return `INSERT INTO agents (name, last_seen) SELECT unnest(${names}), ${now} ORDER BY 1
    ON CONFLICT (name) DO UPDATE SET last_seen = EXCLUDED.last_seen WHERE agents.last_seen < EXCLUDED.last_seen`;
}

/** Adds the upsert of agents seen at `now` ({@link seeAgentsSql}), if there are any. */
export function addAgentsSeen(statement: StatementBuilder, agents: readonly string[], now: number): void {
  if (agents.length === 0) return;
  statement.add(seeAgentsSql(statement.param([...agents].sort(), 'text[]'), statement.param(now, 'bigint')));
}

/** Statement names by text; bounded (texts past the bound run unnamed). */
const names = new Map<string, string>();
const MAX_NAMED = 500;

/**
 * The query for `text` as a named (prepared) statement: each connection parses and plans a text
 * once and then only binds values, where an unnamed statement is parsed and planned on every run
 * (most of the server's work for the combined statements). Names are per process, one per text.
 */
export function prepared(text: string, values: unknown[]): { name?: string; text: string; values: unknown[] } {
  let name = names.get(text);
  if (name === undefined && names.size < MAX_NAMED) {
    name = `fleet_${names.size + 1}`;
    names.set(text, name);
  }
  return name === undefined ? { text, values } : { name, text, values };
}
