import type { DashboardDeployHost, DashboardDeployRun, DeployRunInfo } from '../../dashboard/deploy-status.ts';
import type { DeployRunEvent } from '../../deploy/rollout-event.ts';

/** A batch of a run's events, each checked against the full {@link DeployRunEvent} schema. */
export interface CheckedDeployEvents {
  /** The run they belong to. */
  run: DeployRunInfo;
  /** Its events, oldest first. */
  events: DeployRunEvent[];
}

/**
 * A run after `input` (a batch of its events): `run` is what was known before (undefined for a new
 * run). Pure: the run is copied, never changed in place. Events of a host after its
 * `host_finished` do not make it live again, so late or repeated batches do no harm.
 */
export function applyDeployEvents(run: DashboardDeployRun | undefined, input: CheckedDeployEvents): DashboardDeployRun {
  const first = input.events[0]?.at ?? new Date().toISOString();
  const next: DashboardDeployRun = run
    ? { ...run, ...input.run, hosts: run.hosts.map((host) => ({ ...host })), problems: [...run.problems] }
    : { ...input.run, status: 'running', startedAt: first, updatedAt: first, hosts: [], problems: [] };
  for (const event of input.events) applyEvent(next, event);
  return next;
}

function hostOf(run: DashboardDeployRun, name: string): DashboardDeployHost {
  let host = run.hosts.find((candidate) => candidate.host === name);
  if (!host) {
    host = { host: name, status: 'waiting' };
    run.hosts.push(host);
  }
  return host;
}

function live(host: DashboardDeployHost): boolean {
  return host.status === 'running';
}

function applyEvent(run: DashboardDeployRun, event: DeployRunEvent): void {
  if (event.at > run.updatedAt) run.updatedAt = event.at;
  switch (event.type) {
    case 'run_started':
      run.startedAt = event.at;
      for (const name of event.batches.flat()) hostOf(run, name);
      return;
    case 'lock_acquired':
    case 'batch_started':
      return;
    case 'host_started': {
      const host = hostOf(run, event.host);
      if (host.status === 'waiting') host.status = 'running';
      return;
    }
    case 'phase_started': {
      const host = hostOf(run, event.host);
      if (live(host)) {
        host.phase = event.phase;
        delete host.step;
      }
      return;
    }
    case 'step_started': {
      const host = hostOf(run, event.host);
      if (live(host)) host.step = event.step;
      return;
    }
    case 'step_finished':
    case 'handler_finished':
    case 'phase_finished':
      return;
    case 'host_finished': {
      const host = hostOf(run, event.host);
      host.status = event.result.status;
      host.aborted = event.result.aborted;
      host.durationMs = event.result.durationMs;
      delete host.phase;
      delete host.step;
      return;
    }
    case 'gate_failed':
      run.problems.push(`${event.host}: ${event.step} failed: ${event.reason}`);
      return;
    case 'rollback_started':
      hostOf(run, event.host).rollback = 'running';
      return;
    case 'rollback_finished':
      hostOf(run, event.host).rollback = event.ok ? 'ok' : 'failed';
      if (!event.ok) run.problems.push(`${event.host}: rollback failed${event.error ? `: ${event.error}` : ''}`);
      return;
    case 'run_finished':
      run.status = event.status;
      run.finishedAt = event.at;
      run.durationMs = Math.max(0, Date.parse(event.at) - Date.parse(run.startedAt));
      for (const host of run.hosts) {
        if (!live(host)) continue;
        host.status = 'failed';
        host.aborted = event.status === 'aborted';
        delete host.phase;
        delete host.step;
      }
      return;
  }
}

/** The hosts of `run` being deployed now: between their `host_started` and `host_finished`. */
export function deployingHosts(run: DashboardDeployRun): string[] {
  return run.status === 'running' ? run.hosts.filter(live).map((host) => host.host) : [];
}
