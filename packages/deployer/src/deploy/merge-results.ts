import type { HostResult } from '@fleet/sdk/deploy';

/** The first failed step of a result: its phase, name and error. */
export function firstFailure(result: HostResult): { phase: string; step: string; error: string } | undefined {
  for (const phase of result.phases) {
    for (const step of phase.steps) {
      if (step.status === 'failed') return { phase: phase.phase, step: step.step, error: step.error ?? 'failed' };
    }
    for (const handler of phase.handlers) {
      if (handler.status === 'failed')
        return { phase: phase.phase, step: handler.handler, error: handler.error ?? 'failed' };
    }
  }
  return undefined;
}

/** A host result for a host the deployer could not work on at all (no connection, no plan). */
export function failedHostResult(host: string, mode: HostResult['mode'], phase: string, error: string): HostResult {
  return {
    host,
    mode,
    status: 'failed',
    aborted: false,
    phases: [
      {
        phase,
        status: 'failed',
        steps: [
          {
            phase,
            step: phase,
            kind: 'connect',
            status: 'failed',
            changes: [],
            mayChange: false,
            durationMs: 0,
            error,
          },
        ],
        handlers: [],
      },
    ],
    counts: { ok: 0, changed: 0, failed: 1, skipped: 0, mayChange: 0 },
    durationMs: 0,
  };
}
