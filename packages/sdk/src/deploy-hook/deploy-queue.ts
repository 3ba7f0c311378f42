import type { DeployFunction, DeployJob, DeployQueueOptions, OfferResult } from './deploy-job.ts';
import { BODY_DIGEST, type QueuedJob, queueStateOf, readQueueState, writeQueueState } from './internal/queue-state.ts';
import { restoreArray, restoreJob, restoreMap } from './internal/restore.ts';
import type { DeployHookJob } from './schemas.ts';

export type { DeployFunction, DeployJob, DeployJobOutcome, DeployQueueOptions, OfferResult } from './deploy-job.ts';

/** Deletes the oldest entries of a Map beyond `limit` (it keeps insertion order). */
function trim(collection: Map<string, unknown>, limit: number): void {
  for (const key of collection.keys()) {
    if (collection.size <= limit) return;
    collection.delete(key);
  }
}

/** True when a job's deploy left the hosts on its commit. */
function succeeded(job: QueuedJob): boolean {
  return job.status === 'ok' || job.status === 'changed';
}

/**
 * The webhook's deploy queue: one deploy at a time; pushes arriving while one runs collapse into a
 * single follow-up deploy of the newest commit. A delivery id already handled is ignored, and so is a
 * body already handled (by its digest, since the signature does not cover the delivery id header: a
 * signed body resent under a new id is a replay), except that a redelivery of a delivery whose deploy
 * failed (or was aborted) runs again while no later deploy has succeeded. A push of the commit running, queued, or deployed by the last
 * deploy (when it succeeded) is ignored too; any other commit deploys, also one deployed before, so a
 * force-push back to an older commit (a new body) rolls the hosts back. The remembered ids and
 * digests are bounded, kept in memory and, with `stateFile`, in a JSON file.
 *
 * @example
 * const queue = new DeployQueue({ deploy: ({ commit }) => deploy({ config, mode: 'apply', commit }).then(({ run }) => run) });
 * queue.offer({ commit: 'abc123…', deliveryId: '72d3162e-…' }, createHash('sha256').update(rawBody).digest('hex'));
 */
export class DeployQueue {
  readonly #deploy: DeployFunction;
  readonly #remember: number;
  readonly #onError: ((error: unknown, job: DeployJob) => void) | undefined;
  readonly #now: () => Date;
  /** Delivery id -> the job that handled it. */
  readonly #deliveries = new Map<string, QueuedJob>();
  /** Digest of a delivery's exact body -> the job that handled it. */
  readonly #bodies = new Map<string, QueuedJob>();
  /**
   * The commit the last finished deploy left the hosts on: set when it ended `ok` or `changed`,
   * unknown after one that failed or was aborted (the hosts may run either commit).
   */
  #deployed: string | undefined;
  /** Every job, oldest first. */
  readonly #jobs: QueuedJob[] = [];
  #running: QueuedJob | undefined;
  #pending: QueuedJob | undefined;
  /** The deploy loop while it runs: it takes `#pending` until there is none, then clears this. */
  #loop: Promise<void> | undefined;
  #closed = false;
  readonly #stateFile: string | undefined;

  constructor(options: DeployQueueOptions) {
    this.#deploy = options.deploy;
    this.#remember = options.remember ?? 1000;
    this.#onError = options.onError;
    this.#now = options.now ?? (() => new Date());
    if (!(this.#remember >= 1)) throw new TypeError(`remember must be at least 1, got ${this.#remember}`);
    this.#stateFile = options.stateFile;
    if (this.#stateFile !== undefined) {
      this.#load(this.#stateFile);
      // Written at once, so an unwritable file fails the start rather than the first delivery.
      this.#save();
    }
  }

  /**
   * Offers a pushed commit; the deploy runs in the background. `bodyDigest` identifies the delivery's
   * exact signed body (the webhook passes the hex SHA-256 of its bytes): a body already handled is
   * refused whatever its delivery id, as a delivery id already handled is. With a `stateFile`, a
   * delivery whose state cannot be written throws (the error of the write) and changes nothing.
   */
  offer(job: DeployJob, bodyDigest?: string): OfferResult {
    if (bodyDigest !== undefined && !BODY_DIGEST.test(bodyDigest)) {
      throw new TypeError(
        `bodyDigest must be the hex SHA-256 of the body (64 lowercase hex digits), got ${bodyDigest}`,
      );
    }
    if (this.#closed) return { accepted: false, reason: 'the webhook is shutting down' };
    const previous = this.#deliveries.get(job.deliveryId);
    const handled = previous && this.#handledFor(previous);
    if (handled) return { accepted: false, reason: `delivery already handled (${handled})` };
    const sameBody = bodyDigest === undefined ? undefined : this.#bodies.get(bodyDigest);
    const handledBody = sameBody && this.#handledFor(sameBody);
    if (handledBody) return { accepted: false, reason: `delivery already handled under another id (${handledBody})` };
    if (this.#running?.commit === job.commit) {
      return this.#join(this.#running, job, bodyDigest, 'commit is being deployed');
    }
    if (this.#pending?.commit === job.commit) {
      return this.#join(this.#pending, job, bodyDigest, 'commit is already queued');
    }
    if (this.#deployed === job.commit) {
      // The body is remembered with the deploy that put the commit there, so a replay of it after
      // a later deploy does not roll the hosts back.
      const deployedBy = this.#jobs.findLast((done) => done.commit === job.commit && succeeded(done));
      if (deployedBy && bodyDigest !== undefined) {
        this.#saved(() => this.#record(this.#bodies, bodyDigest, deployedBy));
      }
      return { accepted: false, reason: 'commit already deployed' };
    }

    const queued: QueuedJob = {
      commit: job.commit,
      deliveryId: job.deliveryId,
      ...(job.pusher === undefined ? {} : { pusher: job.pusher }),
      status: 'queued',
      queuedAt: this.#now().toISOString(),
      deliveries: [job.deliveryId],
    };
    const reason = this.#saved(() => {
      this.#record(this.#deliveries, job.deliveryId, queued);
      if (bodyDigest !== undefined) this.#record(this.#bodies, bodyDigest, queued);
      this.#jobs.push(queued);
      if (this.#jobs.length > this.#remember) this.#jobs.splice(0, this.#jobs.length - this.#remember);
      const replaced = this.#pending;
      if (replaced) replaced.status = 'superseded';
      this.#pending = queued;
      return replaced && `replaces the queued deploy of ${replaced.commit}`;
    });
    this.#loop ??= this.#run();
    return reason === undefined ? { accepted: true } : { accepted: true, reason };
  }

  /** The remembered jobs, newest first (at most `limit`). */
  jobs(limit = this.#remember): DeployHookJob[] {
    return this.#jobs
      .slice(-limit)
      .reverse()
      .map(({ deliveries: _, ...job }) => ({ ...job }));
  }

  /** Resolves once no deploy is running or queued. */
  async idle(): Promise<void> {
    // A deploy is running or queued only while the loop runs; the loop clears `#loop` as it ends, so
    // each await here is on a loop still running (one an offer started meanwhile, the second time).
    while (this.#loop) await this.#loop;
  }

  /** Stops accepting deliveries and waits for the running and queued deploys. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.idle();
  }

  #join(job: QueuedJob, offered: DeployJob, bodyDigest: string | undefined, reason: string): OfferResult {
    this.#saved(() => {
      job.deliveries.push(offered.deliveryId);
      this.#record(this.#deliveries, offered.deliveryId, job);
      if (bodyDigest !== undefined) this.#record(this.#bodies, bodyDigest, job);
    });
    return { accepted: false, reason };
  }

  /**
   * Makes an offer's `change` and saves the state; when the save throws, puts back what an offer
   * changes (the remembered deliveries, bodies and jobs, the queued job, and the status and
   * deliveries of the running and queued jobs) and rethrows: nothing of a delivery answered with an
   * error stays, so its redelivery is handled as new.
   */
  #saved<T>(change: () => T): T {
    if (this.#stateFile === undefined) return change();
    const pending = this.#pending;
    const undo = [
      restoreMap(this.#deliveries),
      restoreMap(this.#bodies),
      restoreArray(this.#jobs),
      ...[this.#running, pending].filter((job) => job !== undefined).map(restoreJob),
    ];
    const result = change();
    try {
      this.#save();
    } catch (error) {
      for (const restore of undo) restore();
      this.#pending = pending;
      throw error;
    }
    return result;
  }

  /**
   * Why a delivery (or body) `job` handled is not run again when it comes again, or undefined when
   * it is: only a deploy that failed or was aborted runs again, and only while no deploy since has
   * succeeded (past that, it would put an older commit back: a redelivery of an old failure, or a
   * replay of its body).
   */
  #handledFor(job: QueuedJob): string | undefined {
    if (job.status !== 'failed' && job.status !== 'aborted') return `deploy ${job.status}`;
    // A job no longer remembered is older than every job kept.
    const later = this.#jobs.slice(this.#jobs.indexOf(job) + 1);
    return later.some(succeeded) ? `deploy ${job.status}, and a later deploy succeeded` : undefined;
  }

  /** Records which job handled a delivery id or body, keeping the newest `remember` of them. */
  #record(handled: Map<string, QueuedJob>, key: string, job: QueuedJob): void {
    // Deleted first, so a key handled again counts as the newest.
    handled.delete(key);
    handled.set(key, job);
    trim(handled, this.#remember);
  }

  #load(file: string): void {
    const state = readQueueState(file);
    if (!state) return;
    // The last entry is the newest (older hooks kept several); a deploy the restart cut short leaves it
    // unknown, also one still `queued` in the file: its start may have run without being saved.
    const interrupted = state.jobs.some((job) => job.status === 'running' || job.status === 'queued');
    this.#deployed = interrupted ? undefined : state.deployed.at(-1);
    for (const { bodies = [], ...stored } of state.jobs.slice(-this.#remember)) {
      const job: QueuedJob = { ...stored };
      if (job.status === 'queued' || job.status === 'running') {
        job.status = 'aborted';
        job.error = 'interrupted by a restart of the webhook';
      }
      this.#jobs.push(job);
      for (const id of job.deliveries) this.#deliveries.set(id, job);
      for (const digest of bodies) this.#bodies.set(digest, job);
    }
    trim(this.#deliveries, this.#remember);
    trim(this.#bodies, this.#remember);
  }

  #save(): void {
    if (this.#stateFile === undefined) return;
    writeQueueState(this.#stateFile, queueStateOf(this.#jobs, this.#bodies, this.#deployed));
  }

  /**
   * Saves from the background loop, where a failure can only be reported: the deploy goes on (its
   * delivery was acknowledged), and the next save that succeeds writes the whole state.
   */
  #saveQuietly(job: DeployJob): void {
    try {
      this.#save();
    } catch (error) {
      this.#report(error, job);
    }
  }

  /** Tells `onError`; one that throws does not stop the loop. */
  #report(error: unknown, job: DeployJob): void {
    try {
      this.#onError?.(error, job);
    } catch {
      // Nothing more to tell it with.
    }
  }

  async #run(): Promise<void> {
    try {
      // Let the caller answer before the deploy starts.
      await Promise.resolve();
      while (this.#pending) await this.#deployNext(this.#pending);
    } finally {
      // In the turn of the last check for a queued job, so that no offer comes in between.
      this.#loop = undefined;
    }
  }

  async #deployNext(job: QueuedJob): Promise<void> {
    this.#pending = undefined;
    this.#running = job;
    const input: DeployJob = {
      commit: job.commit,
      deliveryId: job.deliveryId,
      ...(job.pusher === undefined ? {} : { pusher: job.pusher }),
    };
    job.status = 'running';
    job.startedAt = this.#now().toISOString();
    this.#saveQuietly(input);
    try {
      const outcome = await this.#deploy(input);
      job.status = outcome.status;
    } catch (error) {
      job.status = 'failed';
      job.error = error instanceof Error ? error.message : String(error);
      this.#report(error, input);
    }
    job.finishedAt = this.#now().toISOString();
    this.#deployed = succeeded(job) ? job.commit : undefined;
    this.#running = undefined;
    this.#saveQuietly(input);
  }
}
