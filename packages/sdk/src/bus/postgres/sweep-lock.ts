import type pg from 'pg';
import { destroyConnection, PG_TIMEOUTS, withPooledClient } from '../../internal/pg-driver.ts';

/** The sweep lock's key: one per schema, the same as earlier versions took (they hold it for their session). */
const SWEEP_LOCK_KEY = `hashtextextended('fleet_bus.sweep.' || current_schema(), 0)`;

/**
 * Runs `sweep` unless another replica on the same schema is sweeping: an advisory lock, tried
 * without waiting, held by a transaction on one pooled connection for the whole sweep (its parts
 * run their own short transactions on others) and released by its COMMIT.
 *
 * The lock is held no longer than the server hears from its holder: its transaction gets
 * `idle_in_transaction_session_timeout = idleMs`, and the holder touches it (`SELECT 1`) every
 * quarter of that while it sweeps. A replica that dies, or is cut off without a FIN or RST reaching
 * the server (a NAT that forgot the connection), so loses the lock within `idleMs`: the server ends
 * its session, and the other replicas sweep again, rather than after the operating system's TCP
 * keepalive (hours). A holder that lost its lock so finishes its sweep anyway: every part is safe
 * alongside another replica's. Earlier versions take the same key for their session, so a mix of
 * both (a rolling upgrade) still sweeps one at a time. Resolves with whether this replica swept.
 *
 * @param idleMs how long the server keeps the lock of a holder it does not hear from
 *   @default PG_TIMEOUTS.sweepLockIdleMs
 */
export function sweepAlone(
  pool: pg.Pool,
  sweep: () => Promise<void>,
  idleMs: number = PG_TIMEOUTS.sweepLockIdleMs,
): Promise<boolean> {
  const timeoutMs = Math.max(1, Math.trunc(idleMs));
  // The connection idles while the sweep works on others; withPooledClient hears it if it is lost.
  return withPooledClient(pool, async (client, drop) => {
    const short = (text: string) => client.query({ text, query_timeout: timeoutMs } as pg.QueryConfig);
    try {
      await short('BEGIN');
      await short(`SET LOCAL idle_in_transaction_session_timeout = ${timeoutMs}`);
      const { rows } = await short(`SELECT pg_try_advisory_xact_lock(${SWEEP_LOCK_KEY}) AS locked`);
      if (!rows[0]?.locked) {
        await short('COMMIT');
        return false;
      }
    } catch (error) {
      drop();
      throw error;
    }
    let touching: Promise<void> | undefined;
    let lost = false;
    const heartbeat = setInterval(() => {
      // One at a time: a slow answer is no reason to queue more.
      touching ??= short('SELECT 1').then(
        () => {
          touching = undefined;
        },
        // The lock is lost with the connection (the sweep goes on: see above).
        () => {
          lost = true;
          // Closed now: on a network gone dark, ending it politely would wait for TCP keepalive.
          destroyConnection(client);
          drop();
        },
      );
    }, timeoutMs / 4);
    try {
      await sweep();
      return true;
    } finally {
      clearInterval(heartbeat);
      await touching;
      // On failure the session ends with the connection: so does its lock.
      if (!lost) await short('COMMIT').catch(drop);
    }
  });
}
