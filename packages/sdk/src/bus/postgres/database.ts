import type pg from 'pg';
import { FleetError } from '../../errors.ts';
import { createPool, PG_TIMEOUTS, type PgTimeouts } from '../../internal/pg-driver.ts';
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
  /** Bounds other than {@link PG_TIMEOUTS}'s (tests shorten them). */
  timeouts?: Partial<PgTimeouts>;
}

/**
 * The PostgreSQL store's connection pool and schema: the migration starts at construction, and
 * every operation waits for it (one that failed is tried again by the next operation), runs through
 * {@link pgOperation}, and is refused once the store is closed. An operation waits for a migration
 * under way as long as for a connection (`connectMs`), then answers `unavailable` while the
 * migration goes on: a large database may take minutes to migrate, and requests must not hang. A
 * migration whose connection died fails within its probe bound (`migrationProbeMs`), and the next
 * operation migrates on a new connection.
 */
export class PgDatabase {
  readonly #pool: pg.Pool;
  readonly #timeouts: PgTimeouts;
  readonly #now: () => number;
  readonly #afterMigrate: ((pool: pg.Pool) => Promise<void>) | undefined;
  /** The schema migration: started at construction; undefined after a failure, so the next operation tries again. */
  #migrated: Promise<void> | undefined;
  /** Set once a migration has succeeded: operations no longer wait for one. */
  #current = false;
  #closed = false;
  /** Aborted by {@link close}: a migration under way closes its connection rather than be waited for. */
  readonly #closing = new AbortController();

  constructor(options: PgDatabaseOptions) {
    this.#now = options.now;
    this.#afterMigrate = options.afterMigrate;
    this.#timeouts = { ...PG_TIMEOUTS, ...options.timeouts };
    this.#pool = createPool({
      url: options.url,
      max: options.max,
      applicationName: 'fleet-bus',
      timeouts: this.#timeouts,
    });
    // An idle connection that breaks (a database restart) is dropped by the pool; without a
    // listener its error would crash the process.
    this.#pool.on('error', () => undefined);
    this.#migrate();
  }

  /** Whether {@link close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Refuses every operation from now on (`unavailable`), and ends a migration under way (its
   * connection closed: it may wait on a dead one); the pool stays open until {@link end}.
   */
  close(): void {
    this.#closed = true;
    this.#closing.abort();
  }

  /**
   * Resolves once a migration under way has settled, whether or not it succeeded: after
   * {@link close}, within the time it takes to close its connection (or to stop waiting for one).
   */
  async settled(): Promise<void> {
    await this.#migrated?.catch(() => undefined);
  }

  /** Closes the pool's connections. */
  end(): Promise<void> {
    return this.#pool.end();
  }

  /**
   * The pool, once the schema is current, for single-statement reads. While a migration is under
   * way, waits for it at most `connectMs`, then rejects with `unavailable`.
   */
  async ready(): Promise<pg.Pool> {
    if (this.#closed) throw new FleetError('unavailable', 'The message store is closed');
    if (!this.#current) await pgOperation(() => this.#withinWait(this.#migrated ?? this.#migrate()));
    return this.#pool;
  }

  /** Waits, however long it takes, until the schema is current (or the migration failed). */
  async migrated(): Promise<void> {
    if (this.#closed) throw new FleetError('unavailable', 'The message store is closed');
    await pgOperation(() => this.#migrated ?? this.#migrate());
  }

  /** `migrating`, or `unavailable` once it has run longer than an operation waits for it. */
  #withinWait(migrating: Promise<void>): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new FleetError(
              'unavailable',
              'The message store is migrating its database schema; try again when the migration has finished',
            ),
          ),
        this.#timeouts.connectMs,
      );
    });
    return Promise.race([migrating, waited]).finally(() => clearTimeout(timer));
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
    const migrating = migrate(this.#pool, this.#now(), {
      lockTimeoutMs: this.#timeouts.migrationLockMs,
      probeMs: this.#timeouts.migrationProbeMs,
      signal: this.#closing.signal,
    })
      .then(() => afterMigrate?.(this.#pool))
      .then(() => {
        if (this.#migrated === migrating) this.#current = true;
      });
    this.#migrated = migrating;
    migrating.catch(() => {
      if (this.#migrated === migrating) this.#migrated = undefined;
    });
    return migrating;
  }
}
