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
}

/**
 * Check a step and, in apply mode, apply what the check found. Never throws: a failure is a
 * `failed` outcome with the error's message and the tail of its output. Secrets are redacted
 * before the output is cut, so no part of one survives at the cut. `beforeApply` runs in apply
 * mode once the check found something to do, before apply; when it throws, the step fails unapplied.
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
  const outcome = (status: StepStatus, extra: { output?: string | undefined; error?: string } = {}): StepOutcome => {
    const result: StepOutcome = {
      status,
      changes: redactor.deep(changes),
      mayChange,
      durationMs: performance.now() - started,
    };
    if (extra.output) result.output = tailOf(redactor.text(extra.output), OUTPUT_TAIL_CHARS);
    if (extra.error !== undefined) result.error = redactor.text(extra.error);
    return result;
  };
  try {
    const planned = await step.check(context);
    mayChange = planned === 'may change';
    changes = planned === 'may change' ? [] : [...planned];
    if (!mayChange && changes.length === 0) return outcome('ok');
    if (mode === 'plan') return outcome('changed');
    await beforeApply?.();
    const applied = await step.apply(context, planned);
    return outcome('changed', { output: applied?.output });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return outcome('failed', { error: message, output: isDeployError(error) ? error.output : undefined });
  }
}
