import type { DeployEvent } from '../deploy-event.ts';
import type { Executor } from '../executor.ts';
import type { DeployMode, PhaseResult, PhaseStatus } from '../host-result.ts';
import type { Phase, Plan } from '../plan.ts';
import type { StepContext } from '../step.ts';
import type { HandlerResult, StepResult } from '../step-result.ts';
import { FactCache } from './fact-cache.ts';
import type { Redactor } from './redactor.ts';
import { runStep } from './run-step.ts';

/** What {@link runPhase} shares with the whole run. */
export interface PhaseRun {
  plan: Plan;
  executor: Executor;
  mode: DeployMode;
  redactor: Redactor;
  signal: AbortSignal | undefined;
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
 * a changed config never stays under an old process.
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
    if (stop === undefined && run.signal?.aborted) stop = 'the run was aborted';
    if (stop !== undefined) {
      const result = skippedStep(phase.name, step, stop);
      steps.push(result);
      run.emit({ type: 'step_finished', result });
      continue;
    }
    facts.upcoming = phase.steps.slice(index).flatMap((next) => next.probes?.() ?? []);
    run.emit({ type: 'step_started', phase: phase.name, step: step.name, kind: step.kind });
    const outcome = await runStep(step, context, run.mode, run.redactor);
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
    const notifiedBy = notified.get(name);
    if (notifiedBy === undefined) continue;
    facts.clear();
    facts.upcoming = handler.probes?.() ?? [];
    const outcome = await runStep(handler, handlerContext, run.mode, run.redactor);
    const result: HandlerResult = { phase: phase.name, handler: name, notifiedBy, ...outcome };
    handlers.push(result);
    run.emit({ type: 'handler_finished', result });
  }
  return { phase: phase.name, status: phaseStatus([...steps, ...handlers]), steps, handlers };
}
