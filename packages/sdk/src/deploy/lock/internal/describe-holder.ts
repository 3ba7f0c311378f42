import type { DeployLockStatus } from '../deploy-lock-status.ts';

/** `3s`, `2m 05s`, `1h 02m`: a duration for people. */
export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, '0')}m`;
}

/**
 * Who holds a lock, from where, since when and how fresh, in one sentence: "held by alice on
 * laptop (pid 4242), run r-1, commit abc1234 ("fix bus"), since 2026-12-05T14:30:01.000Z; last
 * heartbeat 3s ago, stale after 2m 00s without one".
 */
export function describeHolder(status: DeployLockStatus): string {
  const where = `${status.dir} on ${status.lockHost}`;
  const freshness = `stale after ${formatDuration(status.ttlMs)} without one`;
  const owner = status.owner;
  if (owner === undefined) {
    return `${where} is held by an unknown deployer: ${status.problem ?? 'no owner'}; made ${formatDuration(status.ageMs)} ago, ${freshness}`;
  }
  const commit = owner.commit === undefined ? '' : `, commit ${owner.commit}`;
  const message = owner.message === undefined ? '' : ` (${JSON.stringify(owner.message)})`;
  return (
    `${where} is held by ${owner.user} on ${owner.host} (pid ${owner.pid}), run ${owner.runId}${commit}${message}, ` +
    `since ${owner.startedAt}; last heartbeat ${formatDuration(status.ageMs)} ago, ${freshness}`
  );
}
