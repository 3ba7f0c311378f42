import type pg from 'pg';
import { withPooledClient } from '../../internal/pg-driver.ts';
import type { AuditEntry } from '../internal/audit-entry.ts';
import { isLostConnection, isReadOnlyServer } from './failures.ts';
import { CountDeltas } from './queue-counters.ts';
import { addAuditInsert, addCountDeltasInsert, StatementBuilder } from './statement.ts';

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
    const statement = new StatementBuilder();
    addAuditInsert(statement, this.#audit.splice(0));
    addCountDeltasInsert(statement, this.counts);
    if (!statement.empty) await this.run(statement.text(), statement.values);
  }

  /** Runs the after-commit callbacks. */
  committed(): void {
    for (const fn of this.#committed) fn();
  }
}

/**
 * Runs `fn` in a transaction (READ COMMITTED) on a connection of the pool and commits it; rolls
 * back when `fn` throws. Never waits for anything but the database while the transaction is open.
 * A connection that is gone or unusable ({@link isLostConnection}: lost, or a statement that ran past
 * `query_timeout`, still running as far as the driver knows) gets no ROLLBACK, which would wait
 * behind it for a timeout of its own: it is dropped, and the server rolls back what it had. So is
 * one whose server refused a write as read-only ({@link isReadOnlyServer}), after its ROLLBACK.
 */
export function inTransaction<T>(pool: pg.Pool, fn: (tx: PgTransaction) => Promise<T>): Promise<T> {
  return withPooledClient(pool, async (client, drop) => {
    try {
      await client.query('BEGIN');
      const tx = new PgTransaction(client);
      const value = await fn(tx);
      await tx.flush();
      await client.query('COMMIT');
      tx.committed();
      return value;
    } catch (error) {
      if (isLostConnection(error)) drop();
      else await client.query('ROLLBACK').catch(drop); // gone or unusable: the pool drops it
      // Rolled back, but connected to a server that takes no writes: a new connection may not be.
      if (isReadOnlyServer(error)) drop();
      throw error;
    }
  });
}
