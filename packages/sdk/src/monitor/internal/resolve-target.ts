import { formatIssues } from '../../client/format-issues.ts';
import { InvalidConditionError } from '../../schemas/condition/invalid-condition-error.ts';
import { type ParsedCondition, parseCondition } from '../../schemas/condition/parse-condition.ts';
import { MonitorTarget, type MonitorTargetInput } from '../../schemas/monitor.ts';

/** A validated target with its conditions parsed once and its effective timeout. */
export interface ResolvedTarget {
  readonly target: MonitorTarget;
  readonly conditions: readonly ParsedCondition[];
  /** The target's timeout, capped at half its interval so a probe ends before the next is due. */
  readonly timeoutMs: number;
  /** Identity of the configuration: equal keys mean nothing about the target changed. */
  readonly key: string;
}

/**
 * Validates targets (schema, unique ids, parseable conditions) before anything is probed. Throws a
 * `TypeError` naming the target and the field or condition at fault.
 */
export function resolveTargets(inputs: readonly MonitorTargetInput[]): ResolvedTarget[] {
  const seen = new Set<string>();
  return inputs.map((input, index) => {
    const parsed = MonitorTarget.safeParse(input);
    const name = typeof input?.id === 'string' ? `"${input.id}"` : `#${index}`;
    if (!parsed.success) throw new TypeError(`invalid monitor target ${name}: ${formatIssues(parsed.error.issues)}`);
    const target = parsed.data;
    if (seen.has(target.id)) throw new TypeError(`duplicate monitor target id "${target.id}"`);
    seen.add(target.id);
    const conditions = target.conditions.map((condition) => {
      try {
        return parseCondition(condition);
      } catch (error) {
        if (!(error instanceof InvalidConditionError)) throw error;
        throw new TypeError(`monitor target "${target.id}": ${error.message}`, { cause: error });
      }
    });
    const timeoutMs = Math.max(1, Math.min(target.timeoutMs, Math.floor(target.intervalMs / 2)));
    return { target, conditions, timeoutMs, key: JSON.stringify(target) };
  });
}
