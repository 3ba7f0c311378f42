import type { DeployEvent } from './deploy-event.ts';
import { DeployError } from './errors.ts';
import type { Executor } from './executor.ts';
import type { DeployMode, HostResult, PhaseResult } from './host-result.ts';
import { Redactor } from './internal/redactor.ts';
import { countsOf } from './internal/result-counts.ts';
import { type DistributiveOmit, phaseStatus, runPhase, skippedStep } from './internal/run-phase.ts';
import { type Plan, planProblems, planSecrets } from './plan.ts';

/** Options of {@link runPlan}. */
export interface RunPlanOptions {
  /** The host to run on. */
  executor: Executor;
  /**
   * `plan` runs every read-only check and reports what would change, changing nothing; `apply`
   * checks each step, then applies what its check found.
   */
  mode: DeployMode;
  /**
   * Stops the run between steps: steps not started are reported `skipped`. Commands running when it
   * fires are killed (and fail); handlers already due still run.
   */
  signal?: AbortSignal;
  /**
   * Called with each event as it happens, secrets redacted. It runs synchronously inside the run;
   * an error it throws is ignored, so a broken progress display cannot stop a deploy half-way.
   */
  onEvent?: (event: DeployEvent) => void;
}

/**
 * Run a plan's phases on one host, in order. In apply mode, a failed step ends the run after its
 * phase's due handlers (later steps and phases are reported `skipped`); in plan mode every check
 * runs regardless, so the report shows everything. Secrets the plan or its steps declare appear
 * as `***` in the result and in every event.
 *
 * @throws {DeployError} `invalid_plan` (with every problem) before anything runs.
 * @example
 * const result = await runPlan(plan, { executor: new LocalExecutor(), mode: 'plan', onEvent: console.log });
 * if (result.status === 'failed') process.exitCode = 1;
 */
export async function runPlan(plan: Plan, options: RunPlanOptions): Promise<HostResult> {
  const redactor = new Redactor(planSecrets(plan));
  const problems = planProblems(plan);
  if (problems.length > 0) {
    throw new DeployError('invalid_plan', redactor.text(`Invalid plan: ${problems.join('; ')}`));
  }
  const { executor, mode, signal, onEvent } = options;
  const started = performance.now();
  const emit = (event: DistributiveOmit<DeployEvent, 'at' | 'host'>): void => {
    if (onEvent === undefined) return;
    try {
      onEvent(redactor.deep({ ...event, at: new Date().toISOString(), host: executor.host } as DeployEvent));
    } catch {
      // See RunPlanOptions.onEvent: a listener cannot stop a deploy.
    }
  };

  emit({ type: 'host_started', mode });
  const phases: PhaseResult[] = [];
  let stop: string | undefined;
  for (const phase of plan.phases) {
    if (stop === undefined && signal?.aborted) stop = 'the run was aborted';
    if (stop !== undefined) {
      const steps = phase.steps.map((step) => skippedStep(phase.name, step, stop!));
      for (const result of steps) emit({ type: 'step_finished', result });
      phases.push({ phase: phase.name, status: phaseStatus(steps), steps, handlers: [] });
      continue;
    }
    emit({ type: 'phase_started', phase: phase.name });
    const result = await runPhase(phase, { plan, executor, mode, redactor, signal, emit });
    phases.push(result);
    emit({ type: 'phase_finished', phase: phase.name, status: result.status });
    if (result.status === 'failed' && mode === 'apply') stop = `phase "${phase.name}" failed`;
  }

  const counts = countsOf(phases);
  // Steps redact what they report; this also covers names, reasons and anything a step missed.
  const result: HostResult = redactor.deep({
    host: executor.host,
    mode,
    status: counts.failed > 0 ? 'failed' : counts.changed > 0 ? 'changed' : 'ok',
    aborted: signal?.aborted ?? false,
    phases,
    counts,
    durationMs: performance.now() - started,
  });
  emit({ type: 'host_finished', result });
  return result;
}
