import type pg from 'pg';

/**
 * Runs `sweep` unless another replica on the same schema is sweeping: a session advisory lock,
 * tried without waiting, held on one pooled connection for the whole sweep (its parts run their
 * own short transactions). The lock goes with the session if the replica dies. Resolves with
 * whether this replica swept.
 */
export async function sweepAlone(pool: pg.Pool, sweep: () => Promise<void>): Promise<boolean> {
  const client = await pool.connect();
  let broken = false;
  // The connection idles here while the sweep works on others: a server that dies meanwhile makes
  // it emit 'error', which without a listener would crash the process.
  const onError = () => {
    broken = true;
  };
  client.on('error', onError);
  try {
    const { rows } = await client.query<{ locked: boolean }>(
      `SELECT pg_try_advisory_lock(hashtextextended('fleet_bus.sweep.' || current_schema(), 0)) AS locked`,
    );
    if (!rows[0]?.locked) return false;
    try {
      await sweep();
      return true;
    } finally {
      await client
        .query(`SELECT pg_advisory_unlock(hashtextextended('fleet_bus.sweep.' || current_schema(), 0))`)
        .catch(() => {
          broken = true; // the session ends with the connection: so does its lock
        });
    }
  } catch (error) {
    broken = true;
    throw error;
  } finally {
    client.off('error', onError);
    client.release(broken);
  }
}
