import { z } from 'zod';
import { DeployMode } from '../deploy/host-result.ts';
import { DeployRunEvent } from '../deploy/rollout-event.ts';

/** A run as the dashboard shows it: `running` until its `run_finished`, then how it ended. */
export const DashboardDeployStatus = z.enum(['running', 'ok', 'changed', 'failed', 'aborted']);
export type DashboardDeployStatus = z.infer<typeof DashboardDeployStatus>;

/** Who started a run and what it deploys: sent with every batch of its events. */
export const DeployRunInfo = z.object({
  id: z.string().min(1).max(200).describe('The run id, as the deploy lock and history name it'),
  trigger: z.string().min(1).max(100).describe('What started it: `cli`, `webhook`, `rollback`, ...'),
  mode: DeployMode.describe('`apply` changes the hosts, `plan` only says what would change'),
  user: z.string().max(200).optional().describe('Who started it'),
  from: z.string().max(200).optional().describe('The machine it ran from'),
  commit: z.string().max(200).optional().describe('The commit deployed'),
  message: z.string().max(1000).optional().describe('Why, in a few words'),
});
export type DeployRunInfo = z.infer<typeof DeployRunInfo>;

/** Body of `POST /api/deploys/events`: a run and some of its events, in the order they happened. */
export const DeployEventsInput = z.object({
  run: DeployRunInfo.describe('The run the events belong to (the same with every batch)'),
  events: z.array(DeployRunEvent).max(1000).describe("The run's events, oldest first (the deployer's onEvent)"),
});
export type DeployEventsInput = z.infer<typeof DeployEventsInput>;

/** Answer of `POST /api/deploys/events`. */
export const DeployEventsAccepted = z.object({
  accepted: z.int().nonnegative().describe('How many events were applied'),
  deploying: z.array(z.string()).describe('The hosts of this run being deployed now (their targets show `deploying`)'),
});
export type DeployEventsAccepted = z.infer<typeof DeployEventsAccepted>;

/** One host of a run on the dashboard: live while it deploys, then its result. */
export const DashboardDeployHost = z.object({
  host: z.string().describe('The host, as the fleet file names it'),
  status: z
    .enum(['waiting', 'running', 'ok', 'changed', 'failed'])
    .describe('`waiting` for its batch, `running` (its targets show `deploying`), then its result'),
  phase: z.string().optional().describe('While running: the phase it is in'),
  step: z.string().optional().describe('While running: the step it is in'),
  aborted: z.boolean().optional().describe('Its deploy was stopped before it finished'),
  durationMs: z.number().nonnegative().optional().describe('How long its deploy took, once finished'),
  rollback: z.enum(['running', 'ok', 'failed']).optional().describe('A rollback of this host in this run'),
});
export type DashboardDeployHost = z.infer<typeof DashboardDeployHost>;

/** A deploy run as the dashboard knows it from the events the deployer posted. */
export const DashboardDeployRun = DeployRunInfo.extend({
  status: DashboardDeployStatus.describe('`running` until the run finished, then how it ended'),
  startedAt: z.iso.datetime().describe('When it started (its first event)'),
  finishedAt: z.iso.datetime().optional().describe('When it finished'),
  durationMs: z.number().nonnegative().optional().describe('How long it took, once finished'),
  updatedAt: z.iso.datetime().describe('When its last event happened'),
  hosts: z.array(DashboardDeployHost).describe('Each host of the run, in batch order'),
  problems: z.array(z.string()).describe('Failed health gates and rollbacks, as one line each'),
});
export type DashboardDeployRun = z.infer<typeof DashboardDeployRun>;

/** Answer of `GET /api/deploys`: recent runs, newest first, and the failure to show until a good run. */
export const DashboardDeploys = z.object({
  runs: z.array(DashboardDeployRun).describe('Recent runs, newest first'),
  failed: DashboardDeployRun.nullable().describe(
    'The last finished apply run, when it failed (shown at the top of the overview until the next good one)',
  ),
});
export type DashboardDeploys = z.infer<typeof DashboardDeploys>;

/** Query of `GET /api/deploys`. */
export const DashboardDeploysQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).optional().describe('How many runs; default 20'),
});
export type DashboardDeploysQuery = z.infer<typeof DashboardDeploysQuery>;
