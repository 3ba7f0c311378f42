import type Database from 'better-sqlite3';
import { prepare } from './statements.ts';

/** When GC may remove a tombstone or an expired fact. */
export interface GcPolicy {
  /** Physical time now, epoch milliseconds. */
  now: number;
  /** Rows whose version (tombstones) or expiry (expired facts) is at or before this go regardless of peers. */
  horizonMs: number;
  /** Rows with a seq at or below this have been pulled by every known peer; -1 when there are no peers. */
  seenByAll: number;
}

/** What one GC pass removed, and the highest seq among the removed rows (0 when none). */
export interface GcPass {
  tombstonesRemoved: number;
  expiredRemoved: number;
  maxSeq: number;
}

const TOMBSTONES = 'value IS NULL AND (v_ms <= @horizonMs OR seq <= @seenByAll)';
const EXPIRED = `value IS NOT NULL AND expires_at IS NOT NULL AND expires_at <= @now
  AND (expires_at <= @horizonMs OR seq <= @seenByAll)`;

/**
 * The statements of a GC pass; both walk partial indexes that hold only tombstones or TTL facts.
 *
 * Only pulls count as seen, never pushes: a pull cursor below the GC watermark is refused with
 * `resync_required`, so a tombstone collected after a mere push would force the peer's next pull
 * into a full resync; and a peer that acknowledged a push may still lose it in a power loss
 * (`synchronous=NORMAL`). Every `SyncEngine` round with a peer pulls before it pushes, so an active
 * peer pulls regularly; a registered peer that never pulls holds GC back until the horizon.
 */
export function prepareGc(db: Database.Database) {
  const measure = (where: string) =>
    prepare<[GcPolicy], { count: number; maxSeq: number | null }>(
      db,
      `SELECT count(*) AS count, max(seq) AS maxSeq FROM facts WHERE ${where}`,
    );
  const remove = (where: string) => prepare<[GcPolicy]>(db, `DELETE FROM facts WHERE ${where}`);
  const known = prepare<[], { peers: number; seen: number | null }>(
    db,
    `SELECT count(*) AS peers, min(coalesce(s.pulled_by_seq, 0)) AS seen
     FROM (SELECT id FROM peers UNION SELECT peer FROM peer_state WHERE pulled_by_at IS NOT NULL) k
     LEFT JOIN peer_state s ON s.peer = k.id`,
  );
  const measureTombstones = measure(TOMBSTONES);
  const measureExpired = measure(EXPIRED);
  const removeTombstones = remove(TOMBSTONES);
  const removeExpired = remove(EXPIRED);

  return {
    /**
     * The feed position every known peer has pulled (acknowledged in a pull) up to, or -1 when no
     * peer is known. Known peers: registered ones and nodes that pulled this feed.
     */
    seenByAll(): number {
      const row = known.get()!;
      return row.peers === 0 ? -1 : (row.seen ?? 0);
    },
    /** Removes what `policy` allows, inside the caller's transaction. */
    run(policy: GcPolicy): GcPass {
      const tombstones = measureTombstones.get(policy)!;
      const expired = measureExpired.get(policy)!;
      if (tombstones.count > 0) removeTombstones.run(policy);
      if (expired.count > 0) removeExpired.run(policy);
      return {
        tombstonesRemoved: tombstones.count,
        expiredRemoved: expired.count,
        maxSeq: Math.max(tombstones.maxSeq ?? 0, expired.maxSeq ?? 0),
      };
    },
  };
}
