import { z } from 'zod';
import { DeployEvent } from './deploy-event.ts';
import { DeployRunStatus } from './history/deploy-run.ts';
import { DeployMode } from './host-result.ts';

const at = z.iso.datetime().describe('When it happened');

/**
 * What a rolling deploy of several hosts reports besides each host's {@link DeployEvent}s: the
 * run, the lock, batches, health gates and rollbacks. Secrets are already redacted.
 */
export const RolloutEvent = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('run_started'),
    at,
    runId: z.string(),
    mode: DeployMode,
    batches: z.array(z.array(z.string())).describe('The hosts of each batch, in order'),
  }),
  z.object({ type: z.literal('lock_acquired'), at, host: z.string().describe('The lock host'), tookOver: z.boolean() }),
  z.object({ type: z.literal('batch_started'), at, index: z.int().nonnegative(), hosts: z.array(z.string()) }),
  z.object({
    type: z.literal('gate_failed'),
    at,
    host: z.string(),
    step: z.string().describe('The health step that failed, e.g. `health bus`'),
    reason: z.string().describe('What the last probe saw'),
  }),
  z.object({
    type: z.literal('rollback_started'),
    at,
    host: z.string(),
    from: z.string().optional(),
    to: z.string().optional(),
  }),
  z.object({
    type: z.literal('rollback_finished'),
    at,
    host: z.string(),
    ok: z.boolean().describe('The host passed its health gate again'),
    error: z.string().optional(),
  }),
  z.object({ type: z.literal('run_finished'), at, runId: z.string(), status: DeployRunStatus }),
]);
export type RolloutEvent = z.infer<typeof RolloutEvent>;

/** Every event a deploy reports, one JSON object per line under `--json`. */
export const DeployRunEvent = z.union([DeployEvent, RolloutEvent]);
export type DeployRunEvent = z.infer<typeof DeployRunEvent>;
