import { z } from 'zod';
import { HandlerResult, StepResult } from './step-result.ts';

/** Whether a run only checked (`plan`) or also changed the host (`apply`). */
export const DeployMode = z.enum(['plan', 'apply']);
export type DeployMode = z.infer<typeof DeployMode>;

/** How a phase ended: `changed` if any step changed (would change, in plan mode). */
export const PhaseStatus = z.enum(['ok', 'changed', 'failed', 'skipped']);
export type PhaseStatus = z.infer<typeof PhaseStatus>;

/** A phase's steps and the handlers they queued, in the order they ran. */
export const PhaseResult = z.object({
  phase: z.string(),
  status: PhaseStatus,
  steps: z.array(StepResult),
  handlers: z.array(HandlerResult),
});
export type PhaseResult = z.infer<typeof PhaseResult>;

/** How many steps and handlers ended in each status; `mayChange` counts those that could not tell. */
export const ResultCounts = z.object({
  ok: z.int().nonnegative(),
  changed: z.int().nonnegative(),
  failed: z.int().nonnegative(),
  skipped: z.int().nonnegative(),
  mayChange: z.int().nonnegative(),
});
export type ResultCounts = z.infer<typeof ResultCounts>;

/** Everything a plan did, or would do, on one host. Secrets are already redacted. */
export const HostResult = z.object({
  host: z.string(),
  mode: DeployMode,
  status: z.enum(['ok', 'changed', 'failed']).describe('`failed` if any step or handler failed'),
  aborted: z.boolean().describe('The run was stopped by its AbortSignal'),
  phases: z.array(PhaseResult),
  counts: ResultCounts,
  durationMs: z.number().nonnegative(),
});
export type HostResult = z.infer<typeof HostResult>;
