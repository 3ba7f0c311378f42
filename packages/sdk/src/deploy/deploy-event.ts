import { z } from 'zod';
import { DeployMode, HostResult, PhaseStatus } from './host-result.ts';
import { HandlerResult, StepResult } from './step-result.ts';

const base = {
  at: z.iso.datetime().describe('When it happened'),
  host: z.string(),
};

/**
 * What the runner reports while it runs, one event per line under `--json`. Secrets are already
 * redacted.
 */
export const DeployEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('host_started'), ...base, mode: DeployMode }),
  z.object({ type: z.literal('phase_started'), ...base, phase: z.string() }),
  z.object({ type: z.literal('step_started'), ...base, phase: z.string(), step: z.string(), kind: z.string() }),
  z.object({ type: z.literal('step_finished'), ...base, result: StepResult }),
  z.object({ type: z.literal('handler_finished'), ...base, result: HandlerResult }),
  z.object({ type: z.literal('phase_finished'), ...base, phase: z.string(), status: PhaseStatus }),
  z.object({ type: z.literal('host_finished'), ...base, result: HostResult }),
]);
export type DeployEvent = z.infer<typeof DeployEvent>;

/** The `type` of a {@link DeployEvent}. */
export type DeployEventType = DeployEvent['type'];
