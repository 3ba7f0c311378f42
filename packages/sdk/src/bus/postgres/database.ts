import type pg from 'pg';
import { FleetError } from '../../errors.ts';
import { createPool } from '../../internal/pg-driver.ts';
import { pgOperation } from './failures.ts';
import { migrate } from './schema.ts';
import { inTransaction, type PgTransaction } from './transaction.ts';

/** Options of {@link PgDatabase}. */
export interface PgDatabaseOptions {
  /** `postgres://user:password@host:port/database` */
  url: string;
  /** Most connections the pool opens at once. */
  max: number;
  /** The store's clock, for the migration's record. */
  now: () => number;
  /** Runs once the schema is current, before {@link PgDatabase.ready} resolves (again after a failure). */
  afterMigrate?: (pool: pg.Pool) => Promise<void>;
}

/**
 * The PostgreSQL store's connection pool and schema: the migration starts at construction, and
 * every operation waits for it (one that failed is tried again by the next operation), runs through
 * {@link pgOperation}, and is refused once the store is closed.
 */
export class PgDatabase {
  readonly #pool: pg.Pool;
  readonly #now: () => number;
  readonly #afterMigrate: ((pool: pg.Pool) => Promise<void>) | undefined;
  /** The schema migration: started at construction; undefined after a failure, so the next operation tries again. */
  #migrated: Promise<void> | undefined;
  #closed = false;

  constructor(options: PgDatabaseOptions) {
    this.#now = options.now;
    this.#afterMigrate = options.afterMigrate;
    this.#pool = createPool({ url: options.url, max: options.max, applicationName: 'fleet-bus' });
    // An idle connection that breaks (a database restart) is dropped by the pool; without a
    // listener its error would crash the process.
    this.#pool.on('error', () => undefined);
    this.#migrate();
  }

  /** Whether {@link close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Refuses every operation from now on (`unavailable`); the pool stays open until {@link end}. */
  close(): void {
    this.#closed = true;
  }

  /** Resolves once a migration under way has settled, whether or not it succeeded. */
  async settled(): Promise<void> {
    await this.#migrated?.catch(() => undefined);
  }

  /** Closes the pool's connections. */
  end(): Promise<void> {
    return this.#pool.end();
  }

  /** The pool, once the schema is current, for single-statement reads. */
  async ready(): Promise<pg.Pool> {
    if (this.#closed) throw new FleetError('unavailable', 'The message store is closed');
    await pgOperation(() => this.#migrated ?? this.#migrate());
    return this.#pool;
  }

  /** A read on the pool: `unavailable` when the database cannot be reached. */
  async read<T>(fn: (db: pg.Pool) => Promise<T>): Promise<T> {
    const db = await this.ready();
    return pgOperation(() => fn(db));
  }

  /** A transaction, run again after a deadlock or serialization failure (a bounded number of times). */
  async transaction<T>(fn: (tx: PgTransaction) => Promise<T>): Promise<T> {
    const db = await this.ready();
    return pgOperation(() => inTransaction(db, fn));
  }

  /** Migrates, and on failure (the database is down, say) lets the next operation try again. */
  #migrate(): Promise<void> {
    const afterMigrate = this.#afterMigrate;
    const migrating = migrate(this.#pool, this.#now()).then(() => afterMigrate?.(this.#pool));
    this.#migrated = migrating;
    migrating.catch(() => {
      if (this.#migrated === migrating) this.#migrated = undefined;
    });
    return migrating;
  }
}
