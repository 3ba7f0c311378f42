import type pg from 'pg';

/**
 * How much earlier than the store's construction a row's `created_at` may be and still count as
 * possibly committed after it: the writer's clock error (its offset to the database's clock, not
 * yet measured on its first sends after an outage) and the time between a send taking its time and
 * committing (waiting for the schema and a connection, 5 s each at most).
 */
export const FALLBACK_START_SLACK_MS = 10_000;

/** Newest rows the starting point looks at, at most: a bounded read, whatever the clocks say. */
export const FALLBACK_START_WINDOW = 10_000;

/**
 * The polling fallback's starting point when it could not be read at the store's construction (the
 * database was away): the seq just before the oldest of the newest {@link FALLBACK_START_WINDOW}
 * rows created at most {@link FALLBACK_START_SLACK_MS} before the construction, `elapsedMs` ago on
 * the database server's clock (which the stores' `created_at` follows); `high` when none was. A
 * row committed since the construction is past it, unless its time was taken longer than the slack
 * before, or more than the window of rows was stored since.
 */
export async function readFallbackStart(pool: pg.Pool, elapsedMs: number, high: number): Promise<number> {
  const { rows } = await pool.query<{ first: number | null }>(
    `SELECT min(seq) AS first FROM (SELECT seq, created_at FROM messages ORDER BY seq DESC
      LIMIT ${FALLBACK_START_WINDOW}) AS newest
    WHERE created_at >= extract(epoch FROM clock_timestamp())::float8 * 1000 - $1::float8`,
    [elapsedMs + FALLBACK_START_SLACK_MS],
  );
  const first = rows[0]?.first;
  return first === null || first === undefined ? high : Math.min(first - 1, high);
}
