import type { HostResult, PhaseResult, ResultCounts } from '@fleet/sdk/deploy';

function countsOf(phases: readonly PhaseResult[]): ResultCounts {
  const counts: ResultCounts = { ok: 0, changed: 0, failed: 0, skipped: 0, mayChange: 0 };
  for (const phase of phases) {
    for (const result of [...phase.steps, ...phase.handlers]) {
      counts[result.status] += 1;
      if (result.mayChange) counts.mayChange += 1;
    }
  }
  return counts;
}

/** One host's result from the results of several plans run on it one after another (site, gate, rollback). */
export function mergeHostResults(results: readonly HostResult[]): HostResult {
  const first = results[0]!;
  const phases = results.flatMap((result) => result.phases);
  const counts = countsOf(phases);
  return {
    host: first.host,
    mode: first.mode,
    status: counts.failed > 0 ? 'failed' : counts.changed > 0 ? 'changed' : 'ok',
    aborted: results.some((result) => result.aborted),
    phases,
    counts,
    durationMs: results.reduce((sum, result) => sum + result.durationMs, 0),
  };
}

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
