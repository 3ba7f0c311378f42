import type { QueueStats, RecipientStats } from '../../schemas/stats.ts';
import { buildQueueStats } from '../internal/queue-stats.ts';
import type { Queryable } from './reads.ts';

/** One recipient's counters: the sums of its `queue_count_deltas` rows. */
export interface PgQueueCountsRow {
  agent: string;
  ready: number;
  delayed: number;
  inFlight: number;
  dead: number;
}

/** What the counters hold, by agent (recipients whose sums are all zero left out). */
export async function readPgQueueCounts(db: Queryable): Promise<PgQueueCountsRow[]> {
  const { rows } = await db.query<PgQueueCountsRow>(
    `SELECT recipient AS agent, sum(ready)::int AS ready, sum(delayed)::int AS delayed,
        sum(in_flight)::int AS "inFlight", sum(dead)::int AS dead
      FROM queue_count_deltas GROUP BY recipient
      HAVING sum(ready) <> 0 OR sum(delayed) <> 0 OR sum(in_flight) <> 0 OR sum(dead) <> 0
      ORDER BY recipient`,
  );
  return rows;
}

/** What the counters should hold, recounted from the messages table (a scan), by agent. */
export async function recountPgQueueCounts(db: Queryable): Promise<PgQueueCountsRow[]> {
  const { rows } = await db.query<PgQueueCountsRow>(
    `SELECT recipient AS agent, count(*) FILTER (WHERE state = 'ready' AND NOT delayed)::int AS ready,
        count(*) FILTER (WHERE state = 'ready' AND delayed)::int AS delayed,
        count(*) FILTER (WHERE state = 'in_flight')::int AS "inFlight",
        count(*) FILTER (WHERE state = 'dead')::int AS dead
      FROM messages GROUP BY recipient ORDER BY recipient`,
  );
  return rows;
}

const LIVE = '(expires_at IS NULL OR expires_at > $1)';

/**
 * Per-recipient stats at `now` computed from the messages alone, as `stats()` did before the
 * counters (schema version 1): one pass over the queue. The reference the counters are tested
 * against (and the baseline of `bench/bus-stats.mjs --postgres`); never on a request's path.
 */
export async function scanPgQueueStats(db: Queryable, now: number): Promise<QueueStats> {
  const { rows } = await db.query<Omit<RecipientStats, 'oldestReadyAgeSeconds'> & { oldest: number | null }>(
    `SELECT recipient AS agent,
        count(*) FILTER (WHERE state = 'ready' AND available_at <= $1 AND ${LIVE})::int AS ready,
        count(*) FILTER (WHERE state = 'ready' AND available_at > $1 AND ${LIVE})::int AS delayed,
        count(*) FILTER (WHERE state = 'in_flight')::int AS "inFlight",
        count(*) FILTER (WHERE state = 'dead')::int AS dead,
        min(created_at) FILTER (WHERE state = 'ready' AND available_at <= $1 AND ${LIVE}) AS oldest
      FROM messages GROUP BY recipient`,
    [now],
  );
  return buildQueueStats(
    rows.map(
      ({ oldest, ...row }): RecipientStats => ({
        ...row,
        oldestReadyAgeSeconds: oldest === null ? null : (now - oldest) / 1000,
      }),
    ),
  );
}
