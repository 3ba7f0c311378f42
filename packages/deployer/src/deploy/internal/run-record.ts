import { hostname, userInfo } from 'node:os';
import { type DeployMode, type DeployRun, deployRunStatus, type HostResult } from '@fleet/sdk/deploy';
import type { FleetSession } from './fleet-session.ts';

/** What a finished run adds to its session for history. */
export interface RunEnding {
  trigger: string;
  mode: DeployMode;
  hosts: HostResult[];
  /** `performance.now()` when it started. */
  started: number;
  /** Why the run as a whole failed (the lock was lost, a host could not be prepared). */
  error?: string | undefined;
  /**
   * Why the run stopped before every host was done (Ctrl-C, SIGTERM, its signal): the run is
   * `aborted` (unless a host failed), never `ok`, and this is its `error`.
   */
  stopped?: string | undefined;
  commit?: string | undefined;
  message?: string | undefined;
  /** A run that rolled hosts back failed, whatever the rollbacks did. */
  rolledBack?: readonly string[];
}

/** The history record of a run: who, from where, when, and each host's results. */
export function runRecord(session: FleetSession, ending: RunEnding): DeployRun {
  const ran = ending.error !== undefined ? 'failed' : deployRunStatus(ending.hosts);
  const status = ending.stopped !== undefined && ran !== 'failed' ? 'aborted' : ran;
  const error = ending.error ?? ending.stopped;
  return {
    id: session.runId,
    trigger: ending.trigger,
    user: userInfo().username,
    from: hostname(),
    ...(ending.commit ? { commit: ending.commit } : {}),
    ...(ending.message ? { message: ending.message } : {}),
    mode: ending.mode,
    startedAt: session.now.toISOString(),
    finishedAt: new Date().toISOString(),
    durationMs: performance.now() - ending.started,
    status: (ending.rolledBack?.length ?? 0) > 0 && status !== 'aborted' ? 'failed' : status,
    ...(error !== undefined ? { error } : {}),
    hosts: ending.hosts,
  };
}
