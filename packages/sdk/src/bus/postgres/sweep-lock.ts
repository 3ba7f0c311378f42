import type pg from 'pg';
import { withPooledClient } from '../../internal/pg-driver.ts';

/**
 * Runs `sweep` unless another replica on the same schema is sweeping: a session advisory lock,
 * tried without waiting, held on one pooled connection for the whole sweep (its parts run their
 * own short transactions). The lock goes with the session if the replica dies. Resolves with
 * whether this replica swept.
 */
export function sweepAlone(pool: pg.Pool, sweep: () => Promise<void>): Promise<boolean> {
  // The connection idles while the sweep works on others; withPooledClient hears it if it is lost.
  return withPooledClient(pool, async (client, drop) => {
    try {
      const { rows } = await client.query<{ locked: boolean }>(
        `SELECT pg_try_advisory_lock(hashtextextended('fleet_bus.sweep.' || current_schema(), 0)) AS locked`,
      );
      if (!rows[0]?.locked) return false;
      try {
        await sweep();
        return true;
      } finally {
        // On failure the session ends with the connection: so does its lock.
        await client
          .query(`SELECT pg_advisory_unlock(hashtextextended('fleet_bus.sweep.' || current_schema(), 0))`)
          .catch(drop);
      }
    } catch (error) {
      drop();
      throw error;
    }
  });
}
