import { createRequire } from 'node:module';
import type pg from 'pg';

/** The `pg` module (node-postgres), loaded on first use. */
export type PgDriver = typeof pg;

let driver: PgDriver | undefined;

/**
 * Loads `pg`, an optional peer dependency: only the PostgreSQL store needs it, so clients and the
 * other stores never load it.
 */
export function loadPg(): PgDriver {
  if (driver) return driver;
  try {
    driver = createRequire(import.meta.url)('pg') as PgDriver;
    return driver;
  } catch (error) {
    const missing = (error as { code?: unknown }).code === 'MODULE_NOT_FOUND';
    throw new Error(
      missing
        ? 'install pg to use the PostgreSQL store (npm install pg)'
        : `pg is installed but failed to load: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

const INT8_OID = 20;

/** Options of {@link createPool}. */
export interface PgPoolOptions {
  /** `postgres://user:password@host:port/database` */
  url: string;
  /** Most connections open at once. */
  max: number;
  /** Shown in `pg_stat_activity`. */
  applicationName: string;
}

/**
 * A bounded connection pool. `bigint` columns (times in milliseconds, sequence numbers) come back
 * as numbers: every value the stores keep there is far below 2^53.
 */
export function createPool(options: PgPoolOptions): pg.Pool {
  const { Pool, types } = loadPg();
  return new Pool({
    connectionString: options.url,
    max: options.max,
    application_name: options.applicationName,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID && format !== 'binary'
          ? Number
          : types.getTypeParser(oid, format)) as typeof types.getTypeParser,
    },
  });
}
