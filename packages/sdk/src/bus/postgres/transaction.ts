import type pg from 'pg';
import type { AuditEntry } from '../internal/audit-entry.ts';
import { CountDeltas, DELTA_COLUMNS } from './queue-counters.ts';

/**
 * One short transaction on a pooled connection, with the audit events it writes and its queue
 * counter changes buffered and inserted in one statement just before COMMIT (the events in the
 * order they were recorded).
 */
export class PgTransaction {
  readonly #client: pg.PoolClient;
  readonly #audit: AuditEntry[] = [];
  readonly #committed: (() => void)[] = [];
  /** The queue counter changes of this transaction's writes to `messages`. */
  readonly counts = new CountDeltas();

  constructor(client: pg.PoolClient) {
    this.#client = client;
  }

  /** Runs a statement and resolves with its rows. */
  async rows<R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<R[]> {
    return (await this.#client.query<R>(text, values)).rows;
  }

  /** Runs a statement and resolves with the number of rows it touched. */
  async run(text: string, values: unknown[] = []): Promise<number> {
    return (await this.#client.query(text, values)).rowCount ?? 0;
  }

  /** Records an audit event, written with this transaction. */
  audit(entry: AuditEntry): void {
    this.#audit.push(entry);
  }

  /** Calls `fn` once the transaction has committed (never if it rolls back). */
  afterCommit(fn: () => void): void {
    this.#committed.push(fn);
  }

  /**
   * Inserts the buffered audit events (seq follows the order they were recorded in) and the
   * counter changes, in one statement.
   */
  async flush(): Promise<void> {
    const entries = this.#audit.splice(0);
    const deltas = this.counts.columns();
    const parts: string[] = [];
    const values: unknown[] = [];
    if (entries.length > 0) {
      parts.push(`INSERT INTO audit (at, event, message_id, agent, details)
        SELECT at, event, message_id, agent, details
        FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::json[])
          WITH ORDINALITY AS e(at, event, message_id, agent, details, n)
        ORDER BY n`);
      values.push(
        entries.map((e) => e.at),
        entries.map((e) => e.event),
        entries.map((e) => e.messageId),
        entries.map((e) => e.agent),
        entries.map((e) => (e.details === null ? null : JSON.stringify(e.details))),
      );
    }
    if (deltas) {
      const p = values.length;
      parts.push(`INSERT INTO queue_count_deltas (${DELTA_COLUMNS})
        SELECT * FROM unnest($${p + 1}::text[], $${p + 2}::int[], $${p + 3}::int[], $${p + 4}::int[], $${p + 5}::int[])`);
      values.push(...deltas);
    }
    if (parts.length === 0) return;
    if (parts.length === 1) await this.run(parts[0]!, values);
    else await this.run(`WITH audited AS (${parts[0]}) ${parts[1]}`, values);
  }

  /** Runs the after-commit callbacks. */
  committed(): void {
    for (const fn of this.#committed) fn();
  }
}

/**
 * Runs `fn` in a transaction (READ COMMITTED) on a connection of the pool and commits it; rolls
 * back when `fn` throws. Never waits for anything but the database while the transaction is open.
 */
export async function inTransaction<T>(pool: pg.Pool, fn: (tx: PgTransaction) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  // A connection lost between two statements (the server crashed) emits 'error' on the client,
  // which the pool listens for only while the client is idle: without this it would crash the
  // process. The next statement on it rejects, and the pool drops it on release.
  const lost = () => {
    broken = true;
  };
  client.on('error', lost);
  try {
    await client.query('BEGIN');
    const tx = new PgTransaction(client);
    const value = await fn(tx);
    await tx.flush();
    await client.query('COMMIT');
    tx.committed();
    return value;
  } catch (error) {
    try {
      await client.query('ROLLBACK');
    } catch {
      broken = true; // the connection is gone or unusable: the pool drops it
    }
    throw error;
  } finally {
    client.removeListener('error', lost);
    client.release(broken);
  }
}
