import type Database from 'better-sqlite3';

/**
 * The part of a better-sqlite3 statement the store uses. Declared here because the driver's own
 * statement type lives in a namespace that declaration files cannot name.
 */
export interface Statement<P extends unknown[] = unknown[], R = unknown> {
  run(...params: P): Database.RunResult;
  get(...params: P): R | undefined;
  all(...params: P): R[];
  iterate(...params: P): IterableIterator<R>;
  pluck(toggle?: boolean): Statement<P, R>;
  readonly source: string;
}

/** A statement whose rows come as objects made by a mapper from raw-mode arrays (see `messageRowOf`). */
export interface MappedStatement<P extends unknown[], R> {
  get(...params: P): R | undefined;
  all(...params: P): R[];
  readonly source: string;
}

/**
 * `statement` in raw mode, its rows turned into objects by `map`: better-sqlite3 builds a row object
 * property by property, one object literal in the mapper costs next to nothing.
 */
export function mapped<P extends unknown[], R>(
  statement: Statement<P, unknown>,
  map: (raw: unknown[]) => R,
): MappedStatement<P, R> {
  const raw = (statement as unknown as { raw(toggle: boolean): Statement<P, unknown[]> }).raw(true);
  return {
    get: (...params) => {
      const row = raw.get(...params);
      return row === undefined ? undefined : map(row);
    },
    all: (...params) => raw.all(...params).map(map),
    source: raw.source,
  };
}

/**
 * One statement per LIMIT (or OFFSET) value, made by `make` on first use. The value is written into
 * the SQL ({@link withLimit}): SQLite re-prepares a statement with a bound LIMIT each time the value is
 * rebound (the planner may use it), which took longer than the lease query itself.
 */
export function perLimit<T>(make: (limit: number) => T): (limit: number) => T {
  const made = new Map<number, T>();
  return (limit) => {
    let value = made.get(limit);
    if (value === undefined) {
      value = make(limit);
      made.set(limit, value);
    }
    return value;
  };
}

/** `sql` with its `@limit` replaced by `limit`, checked to be a whole number. */
export function withLimit(sql: string, limit: number): string {
  return sql.replace('@limit', String(sqlLimit(limit)));
}

/** `limit` checked to be a whole number, to be written into SQL. */
export function sqlLimit(limit: number): number {
  if (!Number.isSafeInteger(limit) || limit < 0) throw new RangeError(`Invalid limit: ${limit}`);
  return limit;
}
