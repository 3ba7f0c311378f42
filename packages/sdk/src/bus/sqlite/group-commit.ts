import type Database from 'better-sqlite3';
import type { FleetError } from '../../errors.ts';
import { asStorageError } from './storage-errors.ts';

/**
 * One queued write, in two steps so that a bad write can fail alone without a SAVEPOINT per write:
 * `prepare` reads and validates (it may throw; it must not write), `apply` writes what it prepared.
 */
export interface GroupWrite<P, T> {
  prepare: () => P;
  apply: (prepared: P) => T;
  /** Runs after the group has committed, with `apply`'s result. */
  committed?: (value: T) => void;
}

interface Job {
  write: GroupWrite<unknown, unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/**
 * When the first event-loop turn of a group has queued at least this many writes, the group waits
 * one more turn before it commits: writes are arriving concurrently (a busy server), and those of
 * the next turn join the same commit. A lone write commits on the first turn.
 */
const GATHER_THRESHOLD = 2;

/**
 * Group commit: writes queued in the same tick share ONE transaction, flushed on `setImmediate`.
 * A commit (its WAL write and, with `synchronous = FULL`, its fsync) is the expensive part of a
 * small write, so under load many sends cost about one commit. Under load a group also gathers the
 * writes of the next event-loop turn ({@link GATHER_THRESHOLD}): most pages a commit writes are the
 * same hot pages every time (the ends of the message, audit and index B-trees, the counters), so
 * fewer, larger commits write fewer pages per message.
 *
 * Writes run in queue order, each seeing the ones before it. A write whose `prepare` throws is
 * rejected alone; if an `apply` or the COMMIT fails (a full disk, say), the whole group is rolled
 * back and every write of it rejected. Promises settle only after COMMIT has returned. A failure of
 * the storage (a full disk, a read-only file, a lock held past `busy_timeout`, an I/O error) rejects
 * as `unavailable` with the reason in its details (`storage-errors.ts`), and is kept as
 * {@link GroupCommitWriter.failure} until a group that wrote something commits.
 */
export class GroupCommitWriter {
  readonly #group: Database.Transaction<(jobs: Job[]) => Outcome[]>;
  #queue: Job[] = [];
  #scheduled = false;
  #gathering = false;
  #commits = 0;
  /** The storage failure of the last group that failed, until a group that wrote commits. */
  #failure: FleetError | undefined;
  /** `total_changes()`: did a group committed while failing write anything (an empty commit works on a full disk)? */
  readonly #totalChanges: Database.Statement<[], number>;
  /** `total_changes()` when the last group failed. */
  #changes: number;

  readonly #rolledBack: () => void;

  /**
   * `rolledBack` runs when a group transaction fails, so callers can drop caches of what it wrote;
   * `beforeCommit` runs inside each group transaction after its last write (the store adds up its
   * queue counters there), and failing fails the group.
   */
  constructor(db: Database.Database, rolledBack: () => void = () => {}, beforeCommit: () => void = () => {}) {
    this.#rolledBack = rolledBack;
    this.#totalChanges = db.prepare<[], number>('SELECT total_changes()').pluck();
    this.#changes = this.#totalChanges.get()!;
    this.#group = db.transaction((jobs: Job[]) => {
      const outcomes = jobs.map((job): Outcome => {
        let prepared: unknown;
        try {
          prepared = job.write.prepare();
        } catch (error) {
          // SQLite rolls back by itself on some errors (a full disk, an I/O error): with the
          // transaction gone, the writes after this one would commit on their own. Fail the group.
          if (!db.inTransaction) throw error;
          return { ok: false, error: asStorageError(error) };
        }
        return { ok: true, value: job.write.apply(prepared) };
      });
      beforeCommit();
      return outcomes;
    });
  }

  /** Group transactions committed so far. */
  get commits(): number {
    return this.#commits;
  }

  /**
   * The `unavailable` of the last group that failed because of the storage (`details.reason`:
   * `disk_full`, `read_only`, `locked`, `io_error`), while no group that wrote something has
   * committed since; `undefined` while writes work.
   */
  get failure(): FleetError | undefined {
    return this.#failure;
  }

  /** Queues a write for the next group; resolves with its result once the group has committed. */
  enqueue<P, T>(write: GroupWrite<P, T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ write, resolve, reject } as Job);
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(this.#turn);
      }
    });
  }

  /** The scheduled flush: commits now, or once more writes gathered for a turn when writes are arriving. */
  readonly #turn = (): void => {
    if (!this.#gathering && this.#queue.length >= GATHER_THRESHOLD) {
      this.#gathering = true;
      setImmediate(this.#turn);
      return;
    }
    this.#gathering = false;
    this.#scheduled = false;
    this.flush();
  };

  /** Writes and commits everything queued, synchronously. A no-op when nothing is queued. */
  flush(): void {
    if (this.#queue.length === 0) return;
    const jobs = this.#queue;
    this.#queue = [];
    let outcomes: Outcome[];
    try {
      outcomes = this.#group.immediate(jobs);
      this.#commits += 1;
    } catch (error) {
      this.#rolledBack();
      this.#changes = this.#totalChanges.get()!;
      const failure = asStorageError(error);
      if (failure !== error) this.#failure = failure as FleetError;
      for (const job of jobs) job.reject(failure);
      return;
    }
    // Only a commit that wrote says the storage works again: BEGIN and COMMIT alone succeed on a full
    // disk. Asked only while failing: a group that commits costs no extra statement otherwise.
    if (this.#failure !== undefined) {
      const changes = this.#totalChanges.get()!;
      if (changes !== this.#changes) this.#failure = undefined;
      this.#changes = changes;
    }
    jobs.forEach((job, index) => {
      const outcome = outcomes[index]!;
      if (!outcome.ok) {
        job.reject(outcome.error);
        return;
      }
      job.resolve(outcome.value);
      job.write.committed?.(outcome.value);
    });
  }
}
