import { isDeployError } from '../errors.ts';
import type { DeployMode } from '../host-result.ts';
import type { Step, StepContext } from '../step.ts';
import { OUTPUT_TAIL_CHARS, type StepChange, type StepStatus } from '../step-result.ts';
import { tailOf } from './output-tail.ts';
import type { Redactor } from './redactor.ts';

/** The outcome of one step or handler, redacted, before it gets its phase and name. */
export interface StepOutcome {
  status: StepStatus;
  changes: StepChange[];
  mayChange: boolean;
  durationMs: number;
  output?: string;
  error?: string;
  /** Why it was skipped. */
  reason?: string;
}

/** Why a step whose check the run's abort cut short is skipped. */
export const ABORTED_REASON = 'the run was aborted';

/**
 * Check a step and, in apply mode, apply what the check found. Never throws: a failure is a
 * `failed` outcome with the error's message and the tail of its output. Secrets are redacted
 * before the output is cut, so no part of one survives at the cut. `beforeApply` runs in apply
 * mode once the check found something to do, before apply; when it throws, the step fails unapplied.
 * A check that ends in an error once the run's signal is aborted (its command was stopped) is
 * `skipped` as aborted: a check changes nothing, and its error says only that it was cut short. An
 * apply cut short stays `failed`, since it may have changed part of what it meant to.
 */
export async function runStep(
  step: Step,
  context: StepContext,
  mode: DeployMode,
  redactor: Redactor,
  beforeApply?: () => Promise<void>,
): Promise<StepOutcome> {
  const started = performance.now();
  let changes: StepChange[] = [];
  let mayChange = false;
  const outcome = (
    status: StepStatus,
    extra: { output?: string | undefined; error?: string; reason?: string } = {},
  ): StepOutcome => {
    const result: StepOutcome = {
      status,
      changes: redactor.deep(changes),
      mayChange,
      durationMs: performance.now() - started,
    };
    if (extra.output) result.output = tailOf(redactor.text(extra.output), OUTPUT_TAIL_CHARS);
    if (extra.error !== undefined) result.error = redactor.text(extra.error);
    if (extra.reason !== undefined) result.reason = extra.reason;
    return result;
  };
  const failed = (error: unknown): StepOutcome =>
    outcome('failed', {
      error: error instanceof Error ? error.message : String(error),
      output: isDeployError(error) ? error.output : undefined,
    });
  let planned: Awaited<ReturnType<Step['check']>>;
  try {
    planned = await step.check(context);
  } catch (error) {
    return context.signal?.aborted ? outcome('skipped', { reason: ABORTED_REASON }) : failed(error);
  }
  try {
    mayChange = planned === 'may change';
    changes = planned === 'may change' ? [] : [...planned];
    if (!mayChange && changes.length === 0) return outcome('ok');
    if (mode === 'plan') return outcome('changed');
    await beforeApply?.();
    const applied = await step.apply(context, planned);
    return outcome('changed', { output: applied?.output });
  } catch (error) {
    return failed(error);
  }
}
