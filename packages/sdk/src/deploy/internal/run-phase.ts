import type { DeployEvent } from '../deploy-event.ts';
import type { Executor } from '../executor.ts';
import type { DeployMode, PhaseResult, PhaseStatus } from '../host-result.ts';
import type { Phase, Plan } from '../plan.ts';
import type { StepContext } from '../step.ts';
import type { HandlerResult, StepResult } from '../step-result.ts';
import { FactCache } from './fact-cache.ts';
import type { PendingHandlers } from './pending-handlers.ts';
import type { Redactor } from './redactor.ts';
import { ABORTED_REASON, runStep } from './run-step.ts';

/** What {@link runPhase} shares with the whole run. */
export interface PhaseRun {
  plan: Plan;
  executor: Executor;
  mode: DeployMode;
  redactor: Redactor;
  signal: AbortSignal | undefined;
  /** The host's record of handlers due (see `Plan.pendingHandlers`). */
  pending: PendingHandlers;
  /** Handlers earlier runs left due that run at the end of this phase, with the steps that notified them. */
  earlier: ReadonlyMap<string, readonly string[]>;
  /** Emits an event (already stamped with host and time). */
  emit: (event: DistributiveOmit<DeployEvent, 'at' | 'host'>) => void;
}

/** `Omit` applied to each member of a union. */
export type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** A step that did not run, with why. */
export function skippedStep(phase: string, step: { name: string; kind: string }, reason: string): StepResult {
  return {
    phase,
    step: step.name,
    kind: step.kind,
    status: 'skipped',
    changes: [],
    mayChange: false,
    durationMs: 0,
    reason,
  };
}

/** How a phase ended, from its steps and handlers. */
export function phaseStatus(results: readonly { status: string }[]): PhaseStatus {
  if (results.some((result) => result.status === 'failed')) return 'failed';
  if (results.some((result) => result.status === 'changed')) return 'changed';
  if (results.length > 0 && results.every((result) => result.status === 'skipped')) return 'skipped';
  return 'ok';
}

/**
 * Run one phase's steps in order, then the handlers they notified, once each, in the plan's
 * handler order. In apply mode a failed step skips the rest of the phase, but handlers already
 * due still run. An aborted signal skips the steps not started yet; due handlers still run, so
 * a changed config never stays under an old process. Handlers are recorded on the host before the
 * step that notifies them is applied, and run here also when an earlier run left them due.
 */
export async function runPhase(phase: Phase, run: PhaseRun): Promise<PhaseResult> {
  const facts = new FactCache(run.executor);
  const context: StepContext = {
    executor: run.executor,
    fact: (request) => facts.fact(request),
    signal: run.signal,
    mode: run.mode,
  };
  const steps: StepResult[] = [];
  const notified = new Map<string, string[]>();
  let stop: string | undefined;
  for (const [index, step] of phase.steps.entries()) {
    if (stop === undefined && run.signal?.aborted) stop = ABORTED_REASON;
    if (stop !== undefined) {
      const result = skippedStep(phase.name, step, stop);
      steps.push(result);
      run.emit({ type: 'step_finished', result });
      continue;
    }
    facts.upcoming = phase.steps.slice(index).flatMap((next) => next.probes?.() ?? []);
    run.emit({ type: 'step_started', phase: phase.name, step: step.name, kind: step.kind });
    const notify = step.notify ?? [];
    // The step's name as results show it: a secret in it never reaches the host's record.
    const record = notify.length > 0 ? () => run.pending.record(notify, run.redactor.text(step.name)) : undefined;
    const outcome = await runStep(step, context, run.mode, run.redactor, record);
    const result: StepResult = { phase: phase.name, step: step.name, kind: step.kind, ...outcome };
    steps.push(result);
    run.emit({ type: 'step_finished', result });
    if (result.status === 'changed') {
      for (const handler of step.notify ?? []) notified.set(handler, [...(notified.get(handler) ?? []), step.name]);
      if (run.mode === 'apply') facts.clear();
    }
    if (result.status === 'failed' && run.mode === 'apply') stop = `step "${step.name}" failed`;
  }

  const handlers: HandlerResult[] = [];
  // Handlers run even after a failure or an abort: the changes that queued them are on the host.
  const handlerContext: StepContext = { ...context, signal: undefined };
  for (const [name, handler] of Object.entries(run.plan.handlers ?? {})) {
    const earlier = (run.earlier.get(name) ?? []).map((step) => `${step} (an earlier run)`);
    // An earlier run's record is settled once this run ran the handler (in an earlier phase).
    const earlierDue = run.earlier.has(name) && !run.pending.hasRun(name);
    const notifiedBy = notified.get(name) ?? (earlierDue ? [] : undefined);
    if (notifiedBy === undefined) continue;
    facts.clear();
    facts.upcoming = handler.probes?.() ?? [];
    const outcome = await runStep(handler, handlerContext, run.mode, run.redactor);
    if (outcome.status !== 'failed') {
      // A failed one keeps its record: a later phase that owes it runs it again.
      run.pending.ran(name);
      // A record that could not be removed only repeats the handler at the next run.
      if (run.mode === 'apply') await run.pending.done(name).catch(() => undefined);
    }
    const result: HandlerResult = {
      phase: phase.name,
      handler: name,
      notifiedBy: [...earlier, ...notifiedBy],
      ...outcome,
    };
    handlers.push(result);
    run.emit({ type: 'handler_finished', result });
  }
  return { phase: phase.name, status: phaseStatus([...steps, ...handlers]), steps, handlers };
}
