import type pg from 'pg';

/** How often the offset to the database's clock is measured again. */
export const CLOCK_MEASURE_INTERVAL_MS = 60_000;

/**
 * A new measurement that differs from the offset in use by no more than this is noise (the round
 * trip's asymmetry): the offset stays, so the store's clock does not jitter back and forth.
 */
const CLOCK_JITTER_MS = 20;

/**
 * The PostgreSQL store's clock: this host's clock plus its offset to the database server's
 * (`clock_timestamp()`), measured when the store connects and every minute after. Every time the
 * store compares (a lease running out, a delay, a TTL, the idempotency window) is written and read
 * by replicas on different hosts; aligned with the one database, they agree on it even when their
 * hosts' clocks do not (a replica whose host runs 3 s ahead would otherwise redeliver leased
 * messages 3 s early). Until the first measurement the offset is 0.
 */
export class DatabaseClock {
  readonly #local: () => number;
  #offset = 0;
  #measured = false;

  constructor(local: () => number = Date.now) {
    this.#local = local;
  }

  /** The time in milliseconds, on the database's clock. */
  readonly now = (): number => this.#local() + this.#offset;

  /** The database's clock minus this host's, in milliseconds; undefined before the first measurement. */
  get offsetMs(): number | undefined {
    return this.#measured ? this.#offset : undefined;
  }

  /** Measures the offset: one query, its answer taken as the midpoint of the round trip. */
  async measure(db: Pick<pg.Pool, 'query'>): Promise<void> {
    const before = this.#local();
    const { rows } = await db.query<{ ms: number }>(
      'SELECT (extract(epoch FROM clock_timestamp()) * 1000)::float8 AS ms',
    );
    const after = this.#local();
    const offset = Math.round(rows[0]!.ms - (before + after) / 2);
    if (!this.#measured || Math.abs(offset - this.#offset) > CLOCK_JITTER_MS) this.#offset = offset;
    this.#measured = true;
  }
}
