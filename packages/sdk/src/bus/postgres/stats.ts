import type { QueueStats, RecipientStats } from '../../schemas/stats.ts';
import { buildQueueStats } from '../internal/queue-stats.ts';
import type { Queryable } from './reads.ts';

/** The first unexpired row counted as ready of `c.recipient`, in delivery order, below priority `bound`. */
const firstReadyBelow = (bound: string) => `SELECT priority, created_at FROM messages
  WHERE recipient = c.recipient AND state = 'ready' AND NOT delayed AND priority < ${bound}
    AND (expires_at IS NULL OR expires_at > $1)
  ORDER BY priority DESC, seq LIMIT 1`;

/**
 * The counters and their corrections in one statement (one snapshot, one round trip):
 * - `counts`: the sums of `queue_count_deltas` per recipient (a recipient whose sums are all zero
 *   has no messages);
 * - `expired`: rows counted as ready or delayed whose TTL ran out (the sweep will dead-letter
 *   them), read through `messages_ttl` up to `now` only;
 * - `due`: per recipient with delayed rows, those whose time came (not promoted yet), through
 *   `messages_delayed` up to `now` only, with the oldest of them;
 * - `oldest`: per recipient with ready rows, the first unexpired row of each priority present in
 *   `messages_ready` (a loose index scan: one probe per priority; seq follows the clock, so the
 *   first row of a priority is its oldest).
 */
const STATS = `WITH counts AS (
    SELECT recipient, sum(ready)::int AS ready, sum(delayed)::int AS delayed, sum(in_flight)::int AS in_flight,
      sum(dead)::int AS dead
    FROM queue_count_deltas GROUP BY recipient
    HAVING sum(ready) <> 0 OR sum(delayed) <> 0 OR sum(in_flight) <> 0 OR sum(dead) <> 0),
  expired AS (
    SELECT recipient, count(*) FILTER (WHERE NOT delayed)::int AS ready, count(*) FILTER (WHERE delayed)::int AS delayed
    FROM messages WHERE state = 'ready' AND expires_at IS NOT NULL AND expires_at <= $1 GROUP BY recipient),
  due AS (
    SELECT c.recipient, d.count, d.oldest FROM counts c CROSS JOIN LATERAL (
      SELECT count(*)::int AS count, min(created_at) AS oldest FROM messages
      WHERE recipient = c.recipient AND state = 'ready' AND delayed AND available_at <= $1
        AND (expires_at IS NULL OR expires_at > $1)) d
    WHERE c.delayed > 0),
  oldest AS (
    SELECT c.recipient, o.oldest FROM counts c CROSS JOIN LATERAL (
      WITH RECURSIVE f(priority, created_at) AS (
        (${firstReadyBelow('101')})
        UNION ALL
        SELECT n.priority, n.created_at FROM f CROSS JOIN LATERAL (${firstReadyBelow('f.priority')}) n)
      SELECT min(created_at) AS oldest FROM f) o
    WHERE c.ready > 0)
SELECT c.recipient AS agent, c.ready, c.delayed, c.in_flight AS "inFlight", c.dead,
    coalesce(e.ready, 0) AS "expiredReady", coalesce(e.delayed, 0) AS "expiredDelayed", coalesce(d.count, 0) AS due,
    d.oldest AS "dueOldest", o.oldest AS "readyOldest"
  FROM counts c LEFT JOIN expired e USING (recipient) LEFT JOIN due d USING (recipient)
    LEFT JOIN oldest o USING (recipient)`;

interface StatsRow {
  agent: string;
  ready: number;
  delayed: number;
  inFlight: number;
  dead: number;
  expiredReady: number;
  expiredDelayed: number;
  due: number;
  dueOldest: number | null;
  readyOldest: number | null;
}

/**
 * Per-recipient depth at `now`, from the counters (the sums of `queue_count_deltas`), corrected
 * for what time changed without a write: delayed rows now due move to ready, rows past their TTL
 * count as neither. One statement, so one snapshot. Its cost grows with the recipients, their
 * priorities, the delta rows not folded yet and the rows time changed since the last sweep, never
 * with the queue.
 */
export async function readCountedStats(db: Queryable, now: number): Promise<QueueStats> {
  const { rows } = await db.query<StatsRow>(STATS, [now]);
  return buildQueueStats(
    rows.map((row): RecipientStats => {
      const oldest = minOf(row.dueOldest, row.readyOldest);
      return {
        agent: row.agent,
        ready: row.ready - row.expiredReady + row.due,
        delayed: row.delayed - row.expiredDelayed - row.due,
        inFlight: row.inFlight,
        dead: row.dead,
        oldestReadyAgeSeconds: oldest === null ? null : (now - oldest) / 1000,
      };
    }),
  );
}

function minOf(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.min(a, b);
}

/**
 * Whether `agent` has a message in any state: its counter sums (the folded row and the deltas not
 * folded yet) are not all zero. Reads only `queue_count_deltas`, which the sweep keeps small.
 */
export async function readHasQueued(db: Queryable, agent: string): Promise<boolean> {
  const { rows } = await db.query<{ queued: boolean }>(
    `SELECT coalesce(sum(ready) <> 0 OR sum(delayed) <> 0 OR sum(in_flight) <> 0 OR sum(dead) <> 0, false) AS queued
      FROM queue_count_deltas WHERE recipient = $1`,
    [agent],
  );
  return rows[0]?.queued === true;
}
