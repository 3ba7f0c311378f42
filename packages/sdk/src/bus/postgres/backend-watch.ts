import type pg from 'pg';
import { backendPid, destroyConnection, withPooledClient } from '../../internal/pg-driver.ts';

/**
 * A client-side `query_timeout` that is in effect none: setTimeout's longest delay (0 would mean
 * the pool's own). For statements that may rightly run for minutes; {@link watchedQuery} bounds
 * how long such a statement waits on a connection that died.
 */
export const UNBOUNDED_MS = 2_147_483_647;

/**
 * Runs `query` on `client` and, every `probeMs` while it runs, asks the server from another
 * connection of `pool` whether `client`'s backend still works on it. A backend that is gone, or that
 * has been idle for `probeMs` while the reply has not arrived, means the network under `client`
 * went dark (no FIN or RST came): its socket is closed, and the query rejects as a lost connection
 * instead of waiting for the operating system's TCP keepalive (hours). A probe that fails (the
 * database unreachable from here too) proves nothing, and is tried again `probeMs` later.
 */
export function watchedQuery<Row extends pg.QueryResultRow>(
  pool: pg.Pool,
  client: pg.PoolClient,
  query: pg.QueryConfig,
  probeMs: number,
): Promise<pg.QueryResult<Row>> {
  const pid = backendPid(client);
  const running = client.query<Row>(query);
  if (pid === undefined) return running;
  let done = false;
  let timer: NodeJS.Timeout | undefined;
  const probe = async () => {
    const lost = await backendLost(pool, pid, probeMs).catch(() => false);
    if (done) return;
    if (lost) destroyConnection(client);
    else timer = setTimeout(probe, probeMs);
  };
  timer = setTimeout(probe, probeMs);
  return running.finally(() => {
    done = true;
    clearTimeout(timer);
  });
}

/** Whether backend `pid` is gone, or idle (in its transaction) for longer than `idleMs`. */
function backendLost(pool: pg.Pool, pid: number, idleMs: number): Promise<boolean> {
  return withPooledClient(pool, async (client, drop) => {
    try {
      const { rows } = await client.query<{ state: string | null; stale: boolean | null }>({
        text: `SELECT state, clock_timestamp() - state_change > $2 * interval '1 millisecond' AS stale
          FROM pg_stat_activity WHERE pid = $1`,
        values: [pid, idleMs],
        query_timeout: idleMs,
      } as pg.QueryConfig);
      const row = rows[0];
      if (!row) return true;
      // 'active' includes waiting for a lock; a state hidden from this role proves nothing.
      return row.state !== null && row.state !== 'active' && row.stale === true;
    } catch (error) {
      drop();
      throw error;
    }
  });
}
