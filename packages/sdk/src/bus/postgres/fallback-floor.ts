import type pg from 'pg';

/**
 * Longest the floor waits for a writing transaction to end (see {@link FloorMark}): a store's own
 * transactions end within the pool's statement and idle-in-transaction timeouts (30 s and 60 s);
 * another application's longer one only delays the floor this much.
 */
const FLOOR_HOLD_MAX_MS = 90_000;

/**
 * What one round of the fallback saw: the newest seq, and `xmax` of its snapshot (every
 * transaction then writing has a smaller id). A row with a smaller seq was given its seq before
 * that round; if its transaction had not committed by then, it was one of those writing. So once
 * the oldest transaction still running (a later snapshot's `xmin`) is at or past `xmax`, every row
 * up to `high` that will ever commit has committed, and a round read after that finds it.
 */
interface FloorMark {
  high: number;
  xmax: bigint;
  /** `performance.now()` of the round. */
  at: number;
}

/** A round's view of the messages table: its newest seq and its snapshot's running writers. */
export interface FloorSnapshot {
  mark: FloorMark;
  /** The oldest transaction still running (the snapshot's `xmin`). */
  oldestRunning: bigint;
}

/**
 * Reads the newest row and the writers running, in one snapshot: every row up to it committed by
 * then is in a read that follows.
 */
export async function readFloorSnapshot(pool: pg.Pool): Promise<FloorSnapshot> {
  const { rows } = await pool.query<{ high: number | null; xmin: string; xmax: string }>(
    `SELECT (SELECT max(seq) FROM messages) AS high, pg_snapshot_xmin(s)::text AS xmin,
      pg_snapshot_xmax(s)::text AS xmax FROM pg_current_snapshot() AS s`,
  );
  const row = rows[0]!;
  return {
    mark: { high: row.high ?? 0, xmax: BigInt(row.xmax), at: performance.now() },
    oldestRunning: BigInt(row.xmin),
  };
}

/**
 * Where the wakeups' polling fallback reads from: past the floor, or past the cursor where a full
 * round stopped. The floor passes a round's newest seq only once every transaction that was writing
 * at that round has ended (see {@link FloorMark}), or after {@link FLOOR_HOLD_MAX_MS}, and never in
 * the round that saw it: a row whose transaction took its seq early but committed late is still read.
 */
export class FallbackFloor {
  #floor: number | undefined;
  #cursor: number | undefined;
  /** Rounds whose newest seq the floor has not passed yet, oldest first. */
  #marks: FloorMark[] = [];

  /** The seq the next round reads past; undefined before the first round. */
  get from(): number | undefined {
    return this.#cursor ?? this.#floor;
  }

  /** Starts over at the snapshot's newest row (the first round, or a round without listeners). */
  reset(snapshot: FloorSnapshot): void {
    this.#floor = snapshot.mark.high;
    this.#cursor = undefined;
    this.#marks = [snapshot.mark];
  }

  /**
   * Starts at `from`, a starting point read late (see `readFallbackStart`): the round goes on to
   * read past it, and the floor follows that round's newest seq by the rule of {@link advance}.
   */
  resume(from: number): void {
    this.#floor = from;
    this.#cursor = undefined;
    this.#marks = [];
  }

  /** After a round that read `read` rows, the last of them `lastSeq`, out of at most `batch`. */
  advance(snapshot: FloorSnapshot, read: number, lastSeq: number | undefined, batch: number): void {
    // A full round: the next goes on from its last row; after one that is not, from the floor.
    this.#cursor = read === batch ? lastSeq : undefined;
    while (this.#marks.length > 0) {
      const oldest = this.#marks[0]!;
      if (snapshot.oldestRunning < oldest.xmax && snapshot.mark.at - oldest.at < FLOOR_HOLD_MAX_MS) break;
      this.#floor = Math.max(this.#floor ?? 0, oldest.high);
      this.#marks.shift();
    }
    this.#marks.push(snapshot.mark);
  }
}
