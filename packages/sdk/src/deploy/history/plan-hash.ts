import { createHash } from 'node:crypto';
import type { Plan } from '../plan.ts';
import type { Step } from '../step.ts';

function shape(step: Step): unknown[] {
  return [step.kind, step.name, [...(step.notify ?? [])]];
}

/**
 * A stable hash (hex SHA-256) of a plan's shape: its phases in order, each step's kind, name and
 * the handlers it notifies, and the handlers. Steps do not expose their options, so two plans
 * that differ only in what a step writes (a file's content under the same path) hash the same;
 * default step names carry the path or command, so most other changes show.
 *
 * @example recordDeployRun(lockHost, { ...run, planHash: planHash(plan) })
 */
export function planHash(plan: Plan): string {
  const canonical = JSON.stringify([
    plan.phases.map((phase) => [phase.name, phase.steps.map(shape)]),
    Object.entries(plan.handlers ?? {}).map(([name, step]) => [name, shape(step)]),
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}
