import type { PhaseResult, ResultCounts } from '../host-result.ts';

/** How many steps and handlers of these phases ended in each status. */
export function countsOf(phases: readonly PhaseResult[]): ResultCounts {
  const counts: ResultCounts = { ok: 0, changed: 0, failed: 0, skipped: 0, mayChange: 0 };
  for (const phase of phases) {
    for (const result of [...phase.steps, ...phase.handlers]) {
      counts[result.status] += 1;
      if (result.mayChange) counts.mayChange += 1;
    }
  }
  return counts;
}
