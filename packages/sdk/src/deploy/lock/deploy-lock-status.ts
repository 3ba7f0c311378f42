import type { DeployLockOwner } from './deploy-lock-owner.ts';

/** A held deploy lock, as `readDeployLock` found it. Ages are on the lock host's clock. */
export interface DeployLockStatus {
  /** The lock directory. */
  dir: string;
  /** The host the lock lives on. */
  lockHost: string;
  /** Its holder; missing while (or because) its writer had not written `owner.json`. */
  owner?: DeployLockOwner;
  /** Why there is no `owner`: none written yet, or not readable. */
  problem?: string;
  /** Since the last heartbeat (`owner.json`'s mtime), or since the directory was made when there is no owner. */
  ageMs: number;
  /** The TTL it is judged by: its owner's, else the one asked about. */
  ttlMs: number;
  /** Older than its TTL: the next deployer takes it over. */
  stale: boolean;
}
