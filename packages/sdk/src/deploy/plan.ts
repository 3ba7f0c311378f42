import type { Step } from './step.ts';

/** A named group of steps; handlers its steps notify run once at its end. */
export interface Phase {
  /** Unique within the plan, e.g. `baseline`. */
  name: string;
  /** Run in order. */
  steps: readonly Step[];
}

/** What to do on one host: phases in order, the handlers steps may notify, and known secrets. */
export interface Plan {
  phases: readonly Phase[];
  /** Steps run at the end of a phase when a step of that phase notified them and changed, in this order. */
  handlers?: Readonly<Record<string, Step>>;
  /** Values shown as `***` in everything the run reports, on top of those steps declare. */
  secrets?: readonly string[];
  /**
   * A directory on the host where handlers due but not run yet are recorded, so that none is lost
   * to a run killed between a change and its handler. In apply mode a step that notifies handlers
   * records them there before it is applied; a handler's record goes once it succeeded. A run that
   * finds records runs those handlers even when nothing changed, at the end of the last phase whose
   * steps notify them (a plan none of whose steps notify a handler leaves its record alone).
   * @default none: handlers are due only to changes of the same run
   * @example '/var/lib/fleet/deploy/pending-handlers'
   */
  pendingHandlers?: string;
}

/** Everything wrong with a plan (duplicate names, unknown handlers), as messages; `[]` when none. */
export function planProblems(plan: Plan): string[] {
  const problems: string[] = [];
  const handlers = plan.handlers ?? {};
  const phases = new Set<string>();
  for (const phase of plan.phases) {
    if (phases.has(phase.name)) problems.push(`Phase "${phase.name}" appears twice`);
    phases.add(phase.name);
    const steps = new Set<string>();
    for (const step of phase.steps) {
      if (steps.has(step.name)) problems.push(`Phase "${phase.name}" has two steps named "${step.name}"`);
      steps.add(step.name);
      for (const name of step.notify ?? []) {
        if (!Object.hasOwn(handlers, name)) {
          problems.push(`Step "${step.name}" of phase "${phase.name}" notifies "${name}", which is no handler`);
        }
      }
    }
  }
  for (const [name, handler] of Object.entries(handlers)) {
    if ((handler.notify ?? []).length > 0)
      problems.push(`Handler "${name}" notifies other handlers, which is not supported`);
  }
  return problems;
}

/** Every secret a plan declares, its own and its steps' and handlers'. */
export function planSecrets(plan: Plan): string[] {
  const secrets = new Set(plan.secrets ?? []);
  const steps = [...plan.phases.flatMap((phase) => phase.steps), ...Object.values(plan.handlers ?? {})];
  for (const step of steps) for (const secret of step.secrets ?? []) secrets.add(secret);
  return [...secrets];
}
