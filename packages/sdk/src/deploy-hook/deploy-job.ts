// What the webhook's deploy queue (`DeployQueue`, deploy-queue.ts) runs, and how it is set up.

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
   * How many delivery ids, body digests and jobs are remembered for deduplication and `jobs()`.
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
   * A delivery is accepted only once the file has it: when the write fails (disk full, read-only),
   * `offer()` throws and leaves the queue as it was, so a redelivery is handled as new. A deploy's
   * start or end that cannot be written is told to `onError`; the deploy and the queue go on.
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
