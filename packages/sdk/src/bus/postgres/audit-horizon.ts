import type pg from 'pg';

/**
 * The audit horizon of a statement: the oldest transaction id still running when its snapshot was
 * taken (`pg_snapshot_xmin` of the statement's own snapshot, evaluated once). Every transaction
 * below it has ended, so the events with a `txid` below it are all the events those transactions
 * will ever have, and any event committed later has a `txid` at or above it. Serving only events
 * below the horizon, in (`txid`, `seq`) order, makes every served prefix of the trail final.
 */
export const AUDIT_HORIZON = '(SELECT pg_snapshot_xmin(pg_current_snapshot()))';

/**
 * How long a read that reached the end of the final events waits for the transactions that hold
 * the horizon below events already committed (so a client reads its own writes), in milliseconds.
 * A transaction open longer (an idle session elsewhere in the cluster) only delays those events.
 */
export const AUDIT_HORIZON_WAIT_MS = 250;

/**
 * Waits, at most `waitMs`, until the horizon passes `txid` (the newest committed event a read found
 * at or above it). Resolves true when it did (a read now serves that event and every one before
 * it), false when the wait ran out.
 *
 * @param waitMs how long to wait at most @default AUDIT_HORIZON_WAIT_MS
 */
export async function awaitAuditHorizon(
  db: Pick<pg.Pool, 'query'>,
  txid: string,
  waitMs = AUDIT_HORIZON_WAIT_MS,
): Promise<boolean> {
  const deadline = performance.now() + waitMs;
  // Transaction ids are handed out in order, so only the transactions running now that are older
  // than `txid` keep the horizon at or below it: short ones (a store's), ended in a few ms.
  for (let pause = 1; ; pause = Math.min(pause * 2, 16)) {
    const { rows } = await db.query<{ passed: boolean }>(`SELECT ${AUDIT_HORIZON} > $1::xid8 AS passed`, [txid]);
    if (rows[0]?.passed) return true;
    if (performance.now() + pause > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
}
