import { z } from 'zod';
import { DeployMode, HostResult, ResultCounts } from '../host-result.ts';

/** How a deploy run ended: `failed` if any host failed, else `aborted` if it was stopped, else `changed` or `ok`. */
export const DeployRunStatus = z.enum(['ok', 'changed', 'failed', 'aborted']);
export type DeployRunStatus = z.infer<typeof DeployRunStatus>;

/** One deploy run as history keeps it: who ran what from where, and what each host did. Secrets redacted. */
export const DeployRun = z.object({
  id: z.string().min(1).describe('The run id, as the deploy lock names it'),
  trigger: z.string().min(1).describe('What started it: `cli`, `webhook`, `rollback`, ...'),
  user: z.string().describe('Who started it'),
  from: z.string().describe('The machine it ran from'),
  commit: z.string().optional().describe('The commit deployed'),
  message: z.string().optional().describe('Why, in a few words'),
  planHash: z.string().optional().describe('`planHash()` of the plan: equal hashes, same phases and steps'),
  mode: DeployMode,
  startedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime(),
  durationMs: z.number().nonnegative(),
  status: DeployRunStatus,
  error: z.string().optional().describe('Why the run as a whole failed (the lock was held, the plan invalid)'),
  hosts: z.array(HostResult).describe('Each host: its phases, steps and handlers, with durations'),
});
export type DeployRun = z.infer<typeof DeployRun>;

/** A {@link DeployRun} without its per-step results: one line of a history listing. */
export const DeployRunSummary = DeployRun.omit({ hosts: true }).extend({
  hosts: z.array(HostResult.pick({ host: true, status: true, aborted: true, durationMs: true })),
  counts: ResultCounts.describe('Steps and handlers of all hosts together'),
});
export type DeployRunSummary = z.infer<typeof DeployRunSummary>;

/**
 * The status of a run from its hosts' results: `failed` if any failed, else `aborted` if any was
 * stopped, else `changed` if any changed, else `ok` (also for a run with no hosts).
 */
export function deployRunStatus(hosts: readonly HostResult[]): DeployRunStatus {
  if (hosts.some((host) => host.status === 'failed')) return 'failed';
  if (hosts.some((host) => host.aborted)) return 'aborted';
  return hosts.some((host) => host.status === 'changed') ? 'changed' : 'ok';
}

/** The {@link DeployRunSummary} of a run: its hosts' statuses and the sum of their counts. */
export function summarizeDeployRun(run: DeployRun): DeployRunSummary {
  const { hosts, ...rest } = run;
  const counts: ResultCounts = { ok: 0, changed: 0, failed: 0, skipped: 0, mayChange: 0 };
  for (const host of hosts) {
    for (const key of Object.keys(counts) as (keyof ResultCounts)[]) counts[key] += host.counts[key];
  }
  return {
    ...rest,
    hosts: hosts.map(({ host, status, aborted, durationMs }) => ({ host, status, aborted, durationMs })),
    counts,
  };
}
