import type { HostResult } from './host-result.ts';
import { countsOf } from './internal/result-counts.ts';

/**
 * One host's result from the results of several plans run on it one after another (a site plan,
 * its health gate, a rollback): their phases in order, counts and status recomputed, durations
 * added up.
 *
 * @example mergeHostResults([await runPlan(site, options), await runPlan(gate, options)])
 */
export function mergeHostResults(results: readonly [HostResult, ...HostResult[]]): HostResult {
  const phases = results.flatMap((result) => result.phases);
  const counts = countsOf(phases);
  return {
    host: results[0].host,
    mode: results[0].mode,
    status: counts.failed > 0 ? 'failed' : counts.changed > 0 ? 'changed' : 'ok',
    aborted: results.some((result) => result.aborted),
    phases,
    counts,
    durationMs: results.reduce((sum, result) => sum + result.durationMs, 0),
  };
}
