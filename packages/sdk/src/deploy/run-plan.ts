import type { DeployEvent } from './deploy-event.ts';
import { DeployError } from './errors.ts';
import type { Executor } from './executor.ts';
import type { DeployMode, HostResult, PhaseResult } from './host-result.ts';
import { PendingHandlers } from './internal/pending-handlers.ts';
import { Redactor } from './internal/redactor.ts';
import { countsOf } from './internal/result-counts.ts';
import { type DistributiveOmit, phaseStatus, runPhase, skippedStep } from './internal/run-phase.ts';
import { ABORTED_REASON } from './internal/run-step.ts';
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
 * Which phase runs each handler an earlier run left due: the last one whose steps notify it, so that
 * it runs after everything that may change its inputs. Handlers no step of the plan notifies are left.
 */
function earlierByPhase(
  plan: Plan,
  earlier: ReadonlyMap<string, readonly string[]>,
): Map<string, Map<string, readonly string[]>> {
  const byPhase = new Map<string, Map<string, readonly string[]>>();
  for (const [handler, steps] of earlier) {
    const phase = plan.phases.findLast((candidate) =>
      candidate.steps.some((step) => (step.notify ?? []).includes(handler)),
    );
    if (phase === undefined) continue;
    byPhase.set(phase.name, (byPhase.get(phase.name) ?? new Map()).set(handler, steps));
  }
  return byPhase;
}

/**
 * Run a plan's phases on one host, in order. In apply mode, a failed step ends the run after its
 * phase's due handlers (later steps and phases are reported `skipped`); in plan mode every check
 * runs regardless, so the report shows everything. Secrets the plan or its steps declare appear
 * as `***` in the result and in every event. With `plan.pendingHandlers`, handlers due are recorded
 * on the host before the change that makes them due, so a killed run's are run by the next one.
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
  const pending = await PendingHandlers.read(executor, plan);
  const earlierIn = earlierByPhase(plan, pending.earlier());
  const phases: PhaseResult[] = [];
  let stop: string | undefined;
  for (const phase of plan.phases) {
    if (stop === undefined && signal?.aborted) stop = ABORTED_REASON;
    if (stop !== undefined) {
      const steps = phase.steps.map((step) => skippedStep(phase.name, step, stop!));
      for (const result of steps) emit({ type: 'step_finished', result });
      phases.push({ phase: phase.name, status: phaseStatus(steps), steps, handlers: [] });
      continue;
    }
    emit({ type: 'phase_started', phase: phase.name });
    const earlier = earlierIn.get(phase.name) ?? new Map<string, readonly string[]>();
    const result = await runPhase(phase, { plan, executor, mode, redactor, signal, emit, pending, earlier });
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
