import type { DeployRunEvent } from '@fleet/sdk/deploy';

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)}s`;

/**
 * One line per event worth showing on a terminal while a deploy runs: each host's phases and each
 * step's status, name and duration, and the run's batches, gates and rollbacks. `undefined` for
 * events that add nothing on a terminal.
 */
export function progressLine(event: DeployRunEvent): string | undefined {
  switch (event.type) {
    case 'run_started':
      return `${event.mode === 'plan' ? 'plan' : 'deploy'} ${event.runId}: ${event.batches.map((batch) => batch.join(', ')).join(' | ')}`;
    case 'lock_acquired':
      return `lock held on ${event.host}${event.tookOver ? ' (taken over from a stale holder)' : ''}`;
    case 'batch_started':
      return `batch ${event.index + 1}: ${event.hosts.join(', ')}`;
    case 'phase_started':
      return `${event.host}  ${event.phase}`;
    case 'step_finished': {
      const { result } = event;
      if (result.status === 'skipped') return undefined;
      const status = result.mayChange && result.status === 'changed' ? 'may change' : result.status;
      const error = result.error ? `: ${result.error}` : '';
      return `${event.host}    ${status.padEnd(10)} ${result.step}  ${seconds(result.durationMs)}${error}`;
    }
    case 'handler_finished':
      return `${event.host}    ${event.result.status.padEnd(10)} ${event.result.handler} (handler)  ${seconds(event.result.durationMs)}${event.result.error ? `: ${event.result.error}` : ''}`;
    case 'host_finished':
      return `${event.host}  ${event.result.status}: ${event.result.counts.changed} changed, ${event.result.counts.failed} failed, ${event.result.counts.ok} ok  ${seconds(event.result.durationMs)}`;
    case 'gate_failed':
      return `${event.host}  health gate failed at ${event.step}: ${event.reason}`;
    case 'rollback_started':
      return `${event.host}  rolling back${event.from ? ` from ${event.from}` : ''}${event.to ? ` to ${event.to}` : ''}`;
    case 'rollback_finished':
      return `${event.host}  rollback ${event.ok ? 'done, healthy again' : `failed${event.error ? `: ${event.error}` : ''}`}`;
    case 'run_finished':
      return `run ${event.runId}: ${event.status}`;
    default:
      return undefined;
  }
}
