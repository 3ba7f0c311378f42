import type { DeployRunEvent } from '../../src/deploy/index.ts';
import type { CheckedDeployEvents } from '../../src/fleet/index.ts';

/** `at` for the n-th second after 2025-01-31T12:00:00Z. */
export const at = (second: number) => new Date(Date.UTC(2025, 0, 31, 12, 0, second)).toISOString();

/** The events of a rolling deploy of `hosts` (one per batch) ending with `status`, as the deployer reports them. */
export function runEvents(
  runId: string,
  hosts: string[],
  hostStatus: Record<string, 'ok' | 'changed' | 'failed'> = {},
  start = 0,
): DeployRunEvent[] {
  const events: DeployRunEvent[] = [
    { type: 'run_started', at: at(start), runId, mode: 'apply', batches: hosts.map((host) => [host]) },
    { type: 'lock_acquired', at: at(start), host: hosts[0]!, tookOver: false },
  ];
  let second = start;
  for (const [index, host] of hosts.entries()) {
    second += 1;
    events.push(...hostEvents(host, hostStatus[host] ?? 'changed', second, index));
  }
  const failed = hosts.some((host) => hostStatus[host] === 'failed');
  events.push({ type: 'run_finished', at: at(second + 1), runId, status: failed ? 'failed' : 'changed' });
  return events;
}

/** One host's events: started, a phase and a step, finished with `status`. */
export function hostEvents(
  host: string,
  status: 'ok' | 'changed' | 'failed',
  second: number,
  batch = 0,
): DeployRunEvent[] {
  return [
    { type: 'batch_started', at: at(second), index: batch, hosts: [host] },
    { type: 'host_started', at: at(second), host, mode: 'apply' },
    { type: 'phase_started', at: at(second), host, phase: 'release' },
    { type: 'step_started', at: at(second), host, phase: 'release', step: 'bundle', kind: 'release-bundle' },
    hostFinished(host, status, second),
  ];
}

/** A `host_finished` event with a minimal result. */
export function hostFinished(host: string, status: 'ok' | 'changed' | 'failed', second: number): DeployRunEvent {
  const counts = {
    ok: 1,
    changed: status === 'changed' ? 1 : 0,
    failed: status === 'failed' ? 1 : 0,
    skipped: 0,
    mayChange: 0,
  };
  return {
    type: 'host_finished',
    at: at(second),
    host,
    result: { host, mode: 'apply', status, aborted: false, phases: [], counts, durationMs: 1500 },
  };
}

/** A batch of events of run `id` as the deployer's reporter posts it. */
export function batch(id: string, events: DeployRunEvent[], commit = 'ab12cd3'): CheckedDeployEvents {
  return { run: { id, trigger: 'webhook', mode: 'apply', commit, user: 'deploy-hook' }, events };
}
