import type { Executor, PathInfo, ProbeRequest } from './executor.ts';
import type { DeployMode } from './host-result.ts';
import type { StepChange } from './step-result.ts';

/**
 * What a step's check found: the changes its apply would make (`[]` for none), or `'may change'`
 * when no probe can tell (a command without a guard).
 */
export type CheckResult = readonly StepChange[] | 'may change';

/** What a step's check and apply get from the runner. */
export interface StepContext {
  /** The host. Checks must only read through it: probes and read-only commands. */
  executor: Executor;
  /**
   * What is at a path. Answered from the facts the runner gathered for the whole phase in one
   * probe (what {@link Step.probes} asked for), or probed now when the step did not ask.
   */
  fact(request: ProbeRequest): Promise<PathInfo>;
  /** Aborted when the run is stopped; pass it to long commands. */
  signal: AbortSignal | undefined;
  /**
   * The run's mode. Checks stay read-only in both; a check that waits (a health gate) waits only
   * in `apply` mode and looks once in `plan` mode.
   */
  mode: DeployMode;
}

/** What an apply may report. */
export interface ApplyOutcome {
  /** Tail of what it ran printed. */
  output?: string;
}

/**
 * One typed unit of a plan. A new kind is one file that returns this shape; the runner needs
 * nothing else.
 */
export interface Step {
  /** Its kind, e.g. `file`. */
  readonly kind: string;
  /** Its name in results and events, unique within its phase. */
  readonly name: string;
  /** Handlers to run at the end of the phase when this step changes the host. */
  readonly notify?: readonly string[];
  /** Values to show as `***` wherever the run reports anything (results, diffs, events). */
  readonly secrets?: readonly string[];
  /** Paths its check reads: the runner gathers those of a whole phase in one probe. */
  probes?(): readonly ProbeRequest[];
  /** Read-only: what apply would change. Throw a DeployError to fail the step. */
  check(context: StepContext): Promise<CheckResult>;
  /** Make the changes `check` found (only called when it found some, or `'may change'`). */
  apply(context: StepContext, planned: CheckResult): Promise<ApplyOutcome | undefined>;
}

/** Options every step kind accepts. */
export interface StepOptions {
  /** Its name in results and events. @default derived from the kind and its path or command */
  name?: string;
  /** Handler names to run at the end of the phase if this step changes the host. */
  notify?: string | readonly string[];
  /** Values that must never appear in output, diffs or events; shown as `***`. */
  secrets?: readonly string[];
}

/** The {@link Step} fields that come from {@link StepOptions}, for step kinds to spread. */
export function stepBase(
  kind: string,
  defaultName: string,
  options: StepOptions,
): Pick<Step, 'kind' | 'name' | 'notify' | 'secrets'> {
  const notify =
    options.notify === undefined ? [] : typeof options.notify === 'string' ? [options.notify] : options.notify;
  return { kind, name: options.name ?? defaultName, notify, secrets: options.secrets ?? [] };
}
