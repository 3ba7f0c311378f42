import { z } from 'zod';

/**
 * Who holds a deploy lock: the `owner.json` in the lock directory, written once when it is taken.
 * Its file's modification time (on the lock host's clock) is the last heartbeat.
 */
export const DeployLockOwner = z.object({
  runId: z.string().min(1).describe('The deploy run that holds it'),
  user: z.string().describe('Who started that run'),
  host: z.string().describe('The machine the run deploys from'),
  pid: z.int().nonnegative().describe('Its process id on that machine'),
  commit: z.string().optional().describe('The commit being deployed'),
  message: z.string().optional().describe('Why, in a few words'),
  startedAt: z.iso.datetime().describe("When it was taken, on the deploying machine's clock"),
  ttlMs: z.int().positive().describe('How long without a heartbeat before others may take it over'),
  token: z.string().min(16).describe('Random, one per acquisition: only this holder heartbeats or releases it'),
});
export type DeployLockOwner = z.infer<typeof DeployLockOwner>;

/** What a deployer says about itself when it takes the lock; `user`, `host` and `pid` default to this process's. */
export interface DeployLockHolder {
  /** The run's id, as history and `forceUnlock` name it. */
  runId: string;
  /** @default the local user's name */
  user?: string;
  /** @default this machine's hostname */
  host?: string;
  /** @default process.pid */
  pid?: number;
  /** The commit being deployed. */
  commit?: string;
  /** Why, in a few words. */
  message?: string;
}

/** Where the lock lives on the lock host, unless told otherwise. */
export const DEFAULT_DEPLOY_LOCK_DIR = '/var/lib/fleet/deploy/lock';

/** How long a lock lives without a heartbeat, unless told otherwise. */
export const DEFAULT_DEPLOY_LOCK_TTL_MS = 120_000;

/** How often a held lock's heartbeat runs, unless told otherwise. */
export const DEFAULT_DEPLOY_LOCK_HEARTBEAT_MS = 15_000;
