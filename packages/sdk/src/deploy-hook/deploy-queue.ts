import { readQueueState, writeQueueState } from './internal/queue-state.ts';
import type { DeployHookJob } from './schemas.ts';

/** What a deploy of the webhook is given. */
export interface DeployJob {
  /** The commit to deploy. */
  commit: string;
  /** The delivery that asked for it (the newest, when pushes collapsed). */
  deliveryId: string;
  /** Who pushed it. */
  pusher?: string;
}

/** How a deploy ended; a throw counts as `failed`. */
export interface DeployJobOutcome {
  status: 'ok' | 'changed' | 'failed' | 'aborted';
}

/** Runs one deploy. */
export type DeployFunction = (job: DeployJob) => Promise<DeployJobOutcome>;

/** Options of {@link DeployQueue}. */
export interface DeployQueueOptions {
  /** Runs one deploy; never two at once. */
  deploy: DeployFunction;
  /**
   * How many delivery ids and jobs are remembered for deduplication and `jobs()`.
   * @default 1000
   */
  remember?: number;
  /** Told when a deploy throws (the job is marked `failed` either way). */
  onError?: (error: unknown, job: DeployJob) => void;
  /** The clock. @default () => new Date() */
  now?: () => Date;
  /**
   * A JSON file the jobs, their deliveries and the deployed commit are kept in (written atomically
   * at every change), so a restart keeps deduplicating. A deploy a restart interrupted counts as
   * `aborted`, so its redelivery runs again. A file that is not a state file is refused (a throw).
   * @default in memory only
   */
  stateFile?: string;
}

/** What {@link DeployQueue.offer} did with a delivery. */
export interface OfferResult {
  /** True when it queued (or started) a deploy. */
  accepted: boolean;
  /** Why not, or that it replaced a queued deploy of an older commit. */
  reason?: string;
}

interface Job extends DeployHookJob {
  readonly deliveries: string[];
}

/** Deletes the oldest entries of a Map beyond `limit` (it keeps insertion order). */
function trim(collection: Map<string, unknown>, limit: number): void {
  for (const key of collection.keys()) {
    if (collection.size <= limit) return;
    collection.delete(key);
  }
}

/**
 * The webhook's deploy queue: one deploy at a time; pushes arriving while one runs collapse into a
 * single follow-up deploy of the newest commit. A delivery id already handled is ignored, except that
 * a redelivery of a delivery whose deploy failed (or was aborted) runs again. A push of the commit
 * running, queued, or deployed by the last deploy (when it succeeded) is ignored too; any other
 * commit deploys, also one deployed before, so a force-push back to an older commit rolls the hosts
 * back. The remembered ids are bounded, kept in memory and, with `stateFile`, in a JSON file.
 *
 * @example
 * const queue = new DeployQueue({ deploy: ({ commit }) => deploy({ config, mode: 'apply', commit }).then(({ run }) => run) });
 * queue.offer({ commit: 'abc123…', deliveryId: '72d3162e-…' });
 */
export class DeployQueue {
  readonly #deploy: DeployFunction;
  readonly #remember: number;
  readonly #onError: ((error: unknown, job: DeployJob) => void) | undefined;
  readonly #now: () => Date;
  /** Delivery id -> the job that handled it. */
  readonly #deliveries = new Map<string, Job>();
  /**
   * The commit the last finished deploy left the hosts on: set when it ended `ok` or `changed`,
   * unknown after one that failed or was aborted (the hosts may run either commit).
   */
  #deployed: string | undefined;
  /** Every job, oldest first. */
  readonly #jobs: Job[] = [];
  #running: Job | undefined;
  #pending: Job | undefined;
  #drain: Promise<void> = Promise.resolve();
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

  /** Offers a pushed commit; the deploy runs in the background. */
  offer(job: DeployJob): OfferResult {
    if (this.#closed) return { accepted: false, reason: 'the webhook is shutting down' };
    const previous = this.#deliveries.get(job.deliveryId);
    if (previous && previous.status !== 'failed' && previous.status !== 'aborted') {
      return { accepted: false, reason: `delivery already handled (deploy ${previous.status})` };
    }
    if (this.#running?.commit === job.commit) return this.#join(this.#running, job, 'commit is being deployed');
    if (this.#pending?.commit === job.commit) return this.#join(this.#pending, job, 'commit is already queued');
    if (this.#deployed === job.commit) return { accepted: false, reason: 'commit already deployed' };

    const queued: Job = {
      commit: job.commit,
      deliveryId: job.deliveryId,
      ...(job.pusher === undefined ? {} : { pusher: job.pusher }),
      status: 'queued',
      queuedAt: this.#now().toISOString(),
      deliveries: [job.deliveryId],
    };
    this.#deliveries.set(job.deliveryId, queued);
    trim(this.#deliveries, this.#remember);
    this.#jobs.push(queued);
    if (this.#jobs.length > this.#remember) this.#jobs.splice(0, this.#jobs.length - this.#remember);
    let reason: string | undefined;
    if (this.#pending) {
      this.#pending.status = 'superseded';
      reason = `replaces the queued deploy of ${this.#pending.commit}`;
    }
    this.#pending = queued;
    this.#save();
    if (!this.#running) this.#drain = this.#run();
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
    for (;;) {
      const drain = this.#drain;
      await drain;
      if (drain === this.#drain && !this.#running && !this.#pending) return;
    }
  }

  /** Stops accepting deliveries and waits for the running and queued deploys. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.idle();
  }

  #join(job: Job, offered: DeployJob, reason: string): OfferResult {
    job.deliveries.push(offered.deliveryId);
    this.#deliveries.set(offered.deliveryId, job);
    trim(this.#deliveries, this.#remember);
    this.#save();
    return { accepted: false, reason };
  }

  #load(file: string): void {
    const state = readQueueState(file);
    if (!state) return;
    // The last entry is the newest (older hooks kept several); a deploy the restart cut short leaves it unknown.
    const interrupted = state.jobs.some((job) => job.status === 'running');
    this.#deployed = interrupted ? undefined : state.deployed.at(-1);
    for (const stored of state.jobs.slice(-this.#remember)) {
      const job: Job = { ...stored };
      if (job.status === 'queued' || job.status === 'running') {
        job.status = 'aborted';
        job.error = 'interrupted by a restart of the webhook';
      }
      this.#jobs.push(job);
      for (const id of job.deliveries) this.#deliveries.set(id, job);
    }
    trim(this.#deliveries, this.#remember);
  }

  #save(): void {
    if (this.#stateFile === undefined) return;
    const jobs = this.#jobs.map((job) => ({ ...job, deliveries: [...job.deliveries] }));
    const deployed = this.#deployed === undefined ? [] : [this.#deployed];
    writeQueueState(this.#stateFile, { version: 1, jobs, deployed });
  }

  /** Saves from the background loop, where a failure can only be reported. */
  #saveQuietly(job: DeployJob): void {
    try {
      this.#save();
    } catch (error) {
      this.#onError?.(error, job);
    }
  }

  async #run(): Promise<void> {
    // Let the caller answer before the deploy starts.
    await Promise.resolve();
    while (this.#pending) {
      const job = this.#pending;
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
        this.#onError?.(error, input);
      }
      job.finishedAt = this.#now().toISOString();
      this.#deployed = job.status === 'ok' || job.status === 'changed' ? job.commit : undefined;
      this.#running = undefined;
      this.#saveQuietly(input);
    }
  }
}
