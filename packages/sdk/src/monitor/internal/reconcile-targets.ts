import type { ResolvedTarget } from './resolve-target.ts';
import { type TargetRuntime, updateRuntime } from './target-runtime.ts';

/**
 * The runtimes for a new set of targets, in its order: a kept id keeps its runtime (state,
 * counters, latencies), updated when its configuration changed; a new id gets `create(entry)`;
 * a removed one is passed to `drop`.
 */
export function reconcileTargets(
  current: ReadonlyMap<string, TargetRuntime>,
  resolved: readonly ResolvedTarget[],
  create: (entry: ResolvedTarget) => TargetRuntime,
  drop: (id: string, runtime: TargetRuntime) => void,
): Map<string, TargetRuntime> {
  const next = new Map<string, TargetRuntime>();
  for (const entry of resolved) {
    const existing = current.get(entry.target.id);
    if (existing && existing.resolved.key !== entry.key) updateRuntime(existing, entry);
    next.set(entry.target.id, existing ?? create(entry));
  }
  for (const [id, runtime] of current) if (!next.has(id)) drop(id, runtime);
  return next;
}
