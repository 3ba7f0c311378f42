import type Database from 'better-sqlite3';
import type { QueueStats, RecipientStats } from '../../schemas/stats.ts';
import { buildQueueStats } from '../internal/queue-stats.ts';

/** One recipient's row of `queue_counts`. */
export interface QueueCountsRow {
  agent: string;
  ready: number;
  delayed: number;
  inFlight: number;
  dead: number;
}

/** The `queue_counts` columns under the names of {@link QueueCountsRow}. */
export const QUEUE_COUNTS_COLUMNS = 'recipient AS agent, ready, delayed, in_flight AS inFlight, dead';

/** `queue_counts` as the messages table says it should be: one pass over every row. */
const RECOUNT = `SELECT recipient AS agent, total(state = 'ready' AND delayed = 0) AS ready,
    total(state = 'ready' AND delayed = 1) AS delayed, total(state = 'in_flight') AS inFlight,
    total(state = 'dead') AS dead
  FROM messages GROUP BY recipient ORDER BY recipient`;

/**
 * Recounts `queue_counts` from the messages table, replacing what it held. A full scan: run once,
 * by the migration that introduced the counters.
 */
export function rebuildQueueCounts(db: Database.Database): void {
  db.exec('DELETE FROM queue_counts');
  db.exec(`INSERT INTO queue_counts (recipient, ready, delayed, in_flight, dead)
    SELECT agent, ready, delayed, inFlight, dead FROM (${RECOUNT})`);
}

/** What `queue_counts` should hold, recounted from the messages table (a scan), by agent. */
export function recountQueueCounts(db: Database.Database): QueueCountsRow[] {
  return db.prepare<[], QueueCountsRow>(RECOUNT).all();
}

/** What `queue_counts` holds, by agent. */
export function readQueueCounts(db: Database.Database): QueueCountsRow[] {
  return db.prepare<[], QueueCountsRow>(`SELECT ${QUEUE_COUNTS_COLUMNS} FROM queue_counts ORDER BY recipient`).all();
}

const DELIVERABLE = `state = 'ready' AND available_at <= @now AND (expires_at IS NULL OR expires_at > @now)`;

/**
 * Per-recipient stats at `now` computed from the messages alone, as `stats()` did before the
 * counters: one pass over every ready, in-flight and dead row. The reference the counters are
 * tested against (and the baseline of `bench/bus-stats.mjs`); never on a request's path.
 */
export function scanQueueStats(db: Database.Database, now: number): QueueStats {
  const byAgent = new Map<string, RecipientStats>();
  const entry = (agent: string): RecipientStats => {
    let stats = byAgent.get(agent);
    if (!stats) {
      stats = { agent, ready: 0, delayed: 0, inFlight: 0, dead: 0, oldestReadyAgeSeconds: null };
      byAgent.set(agent, stats);
    }
    return stats;
  };
  // The statements stats() ran before the counters; the first read messages_ready when it still held
  // every ready row (bench/bus-stats.mjs builds that index again to time it), now the table.
  const ready = db.prepare<[{ now: number }], { agent: string; ready: number; delayed: number; oldest: number | null }>(
    `SELECT recipient AS agent, total(${DELIVERABLE}) AS ready,
        total(available_at > @now AND (expires_at IS NULL OR expires_at > @now)) AS delayed,
        min(CASE WHEN ${DELIVERABLE} THEN created_at END) AS oldest
      FROM messages WHERE state = 'ready' GROUP BY recipient`,
  );
  for (const row of ready.all({ now })) {
    const stats = entry(row.agent);
    stats.ready = row.ready;
    stats.delayed = row.delayed;
    stats.oldestReadyAgeSeconds = row.oldest === null ? null : (now - row.oldest) / 1000;
  }
  const inFlight = db.prepare<[], { agent: string; count: number }>(
    `SELECT recipient AS agent, count(*) AS count FROM messages INDEXED BY messages_leases
      WHERE state = 'in_flight' GROUP BY recipient`,
  );
  for (const row of inFlight.all()) entry(row.agent).inFlight = row.count;
  const dead = db.prepare<[], { agent: string; count: number }>(
    `SELECT recipient AS agent, count(*) AS count FROM messages INDEXED BY messages_dead_by_agent
      WHERE state = 'dead' GROUP BY recipient`,
  );
  for (const row of dead.all()) entry(row.agent).dead = row.count;
  return buildQueueStats(byAgent.values());
}
