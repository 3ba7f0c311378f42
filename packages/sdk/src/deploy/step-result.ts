import { z } from 'zod';

/** Bound on a result's `output`: the tail of what the step's commands printed, in characters. */
export const OUTPUT_TAIL_CHARS = 4096;

/**
 * How a step ended. In plan mode `changed` means "would change" (its check found changes or could
 * not tell), and nothing was applied.
 */
export const StepStatus = z.enum(['ok', 'changed', 'failed', 'skipped']);
export type StepStatus = z.infer<typeof StepStatus>;

/** One change a step's check found, or made in apply mode. */
export const StepChange = z.object({
  action: z.enum(['create', 'update', 'run']).describe('`create` a missing path, `update` one, `run` a command'),
  target: z.string().describe('The host path or command it concerns'),
  attribute: z
    .enum(['content', 'owner', 'group', 'mode', 'target'])
    .optional()
    .describe("What an `update` changes: a file's content, owner, group or mode, a symlink's target"),
  summary: z.string().describe('One line for people, e.g. `mode 0644 -> 0600`'),
  diff: z.string().optional().describe("Unified diff of a file's content, secrets redacted"),
});
export type StepChange = z.infer<typeof StepChange>;

/** What one step did, or in plan mode would do. Secrets are already redacted. */
export const StepResult = z.object({
  phase: z.string(),
  step: z.string().describe("The step's name"),
  kind: z.string().describe('Its kind: `command`, `file`, `directory`, `symlink`, `assert`, ...'),
  status: StepStatus,
  changes: z.array(StepChange).describe('What its check found to change; empty when there is nothing to do'),
  mayChange: z.boolean().describe('Its check could not tell whether it changes the host (a command without a guard)'),
  durationMs: z.number().nonnegative(),
  output: z.string().optional().describe(`Tail of what its commands printed, at most ${OUTPUT_TAIL_CHARS} characters`),
  error: z.string().optional().describe('Why it failed'),
  reason: z.string().optional().describe('Why it was skipped'),
});
export type StepResult = z.infer<typeof StepResult>;

/** A handler that steps of a phase notified, run once at the end of the phase. */
export const HandlerResult = z.object({
  phase: z.string(),
  handler: z.string(),
  status: StepStatus.describe('In plan mode `changed` means "would run"'),
  notifiedBy: z.array(z.string()).describe('The steps whose change queued it'),
  changes: z.array(StepChange),
  mayChange: z.boolean(),
  durationMs: z.number().nonnegative(),
  output: z.string().optional(),
  error: z.string().optional(),
});
export type HandlerResult = z.infer<typeof HandlerResult>;
